-- +goose Up
-- The label history's voided and refunded lists in postage order, alone or
-- with other filters: a rare, correlated combination (a class's refunded
-- labels, a cost code's voided ones) made PostgreSQL read every voided label
-- of the account and sort them, on every page. Here each reason's labels are
-- in postage order, and the class is checked in the index. Partial on voided
-- labels, so a purchase writes no entry in it; a void writes one.
--
-- The history names a reason by equality, so a voided label must carry one
-- of the two reasons the void path writes; labels voided before the column
-- existed were voided by their mailers.
UPDATE indicia SET void_reason = 'voided by the mailer' WHERE status = 'voided' AND void_reason = '';
ALTER TABLE indicia ADD CONSTRAINT indicia_void_reason_check
    CHECK (status <> 'voided' OR void_reason IN ('voided by the mailer', 'submitted for refund')) NOT VALID;
ALTER TABLE indicia VALIDATE CONSTRAINT indicia_void_reason_check;
CREATE INDEX indicia_account_voided_postage_idx ON indicia (account_id, void_reason, postage, id, mail_class)
    WHERE status = 'voided';

-- +goose Down
DROP INDEX indicia_account_voided_postage_idx;
ALTER TABLE indicia DROP CONSTRAINT indicia_void_reason_check;
