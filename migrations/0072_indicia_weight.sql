-- +goose Up
-- The piece's weight in ounces as the mailer gave it (0 when the postage
-- was entered by hand, not rated). The constant default makes this a
-- catalogue change only: no rewrite of the table.
ALTER TABLE indicia ADD COLUMN weight_oz numeric(8,2) NOT NULL DEFAULT 0;
-- The label history's class filter with a purchase-date range (the narrow
-- filters, e.g. one month of used Priority Mail sorted by postage) reads
-- only the class's pieces of the period instead of every piece of it.
CREATE INDEX indicia_account_class_created_idx ON indicia (account_id, mail_class, created_at, id);

-- +goose Down
DROP INDEX indicia_account_class_created_idx;
ALTER TABLE indicia DROP COLUMN weight_oz;
