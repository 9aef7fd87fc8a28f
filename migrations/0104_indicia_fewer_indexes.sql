-- +goose Up
-- Every label takes an entry in each of indicia's indexes when it is
-- written, so an index no statement needs is paid for on every purchase.
--   indicia_tracking_number_idx: no statement looks a label up by its
--     tracking number (labels are found by public id or by meter and piece).
--   indicia_account_mailing_idx: only the label history's date-of-mailing
--     filter read it, and that filter also bounds the purchase time
--     (label_list.go); indicia_account_created_id_idx takes mailing_date as
--     a trailing key, so the history reads the purchase-time range from it
--     and checks the mailing date in the index before fetching a row.
DROP INDEX indicia_tracking_number_idx;
DROP INDEX indicia_account_mailing_idx;
CREATE INDEX indicia_account_created_mailing_idx ON indicia (account_id, created_at, id, mailing_date)
    INCLUDE (postage, status, meter_id, cost_code_id, mail_class, origin_zip);
DROP INDEX indicia_account_created_id_idx;
ALTER INDEX indicia_account_created_mailing_idx RENAME TO indicia_account_created_id_idx;

-- +goose Down
CREATE INDEX indicia_account_created_plain_idx ON indicia (account_id, created_at, id)
    INCLUDE (postage, status, meter_id, cost_code_id, mail_class, origin_zip);
DROP INDEX indicia_account_created_id_idx;
ALTER INDEX indicia_account_created_plain_idx RENAME TO indicia_account_created_id_idx;
CREATE INDEX indicia_account_mailing_idx ON indicia (account_id, mailing_date, id);
CREATE INDEX indicia_tracking_number_idx ON indicia (tracking_number) WHERE tracking_number IS NOT NULL;
