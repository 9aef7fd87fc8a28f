-- +goose Up
-- The mailer's own reference for a piece (an order number, a file line),
-- printed on the label's reference line with its cost code.
ALTER TABLE indicia ADD COLUMN reference text NOT NULL DEFAULT '' CHECK (length(reference) <= 64);

-- +goose Down
ALTER TABLE indicia DROP COLUMN reference;
