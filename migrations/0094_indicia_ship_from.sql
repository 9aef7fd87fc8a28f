-- +goose Up
-- The ship-from (return) address lines a label prints, kept with the label
-- so a reprint shows what the first print showed; NULL prints the
-- account's own address, as labels did before.
ALTER TABLE indicia ADD COLUMN ship_from jsonb;

-- +goose Down
ALTER TABLE indicia DROP COLUMN ship_from;
