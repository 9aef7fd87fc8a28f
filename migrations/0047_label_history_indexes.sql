-- +goose Up
-- The label history pages by keyset: (created_at, id) for the date order and
-- (postage, id) for the postage order, each within one account. The first
-- replaces the account index, which lacked the id that breaks ties between
-- labels of one purchase (they share created_at).
CREATE INDEX indicia_account_created_id_idx ON indicia (account_id, created_at DESC, id DESC);
DROP INDEX indicia_account_idx;
CREATE INDEX indicia_account_postage_idx ON indicia (account_id, postage, id);
-- Voided and refunded labels are few: a partial index finds them without
-- walking the account's whole history.
CREATE INDEX indicia_account_voided_idx ON indicia (account_id, created_at DESC, id DESC) WHERE status = 'voided';
-- The date-of-mailing range filter.
CREATE INDEX indicia_account_mailing_idx ON indicia (account_id, mailing_date, id);

-- +goose Down
DROP INDEX indicia_account_mailing_idx;
DROP INDEX indicia_account_voided_idx;
DROP INDEX indicia_account_postage_idx;
CREATE INDEX indicia_account_idx ON indicia (account_id, created_at DESC);
DROP INDEX indicia_account_created_id_idx;
