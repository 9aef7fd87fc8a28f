-- +goose Up
-- The piece's weight in ounces as the mailer gave it (0 when the postage
-- was entered by hand, not rated). The constant default makes this a
-- catalogue change only: no rewrite of the table.
ALTER TABLE indicia ADD COLUMN weight_oz numeric(8,2) NOT NULL DEFAULT 0;
-- The label history's class filter sorted by postage (e.g. one month of used
-- Priority Mail, highest postage first): the class's pieces are read in
-- postage order and the purchase-date range is checked in the index (the
-- trailing created_at), so only the rows shown are fetched from the table,
-- instead of every piece of the class in the period being fetched and sorted.
CREATE INDEX indicia_account_class_postage_idx ON indicia (account_id, mail_class, postage, id, created_at);

-- +goose Down
DROP INDEX indicia_account_class_postage_idx;
ALTER TABLE indicia DROP COLUMN weight_oz;
