-- +goose Up
-- A funds transfer with a negative amount is a debit: money taken back out
-- of the meter (a refund or dispute made outside Indicia).
ALTER TABLE funds_transfers DROP CONSTRAINT funds_transfers_amount_check;
ALTER TABLE funds_transfers ADD CONSTRAINT funds_transfers_amount_check CHECK (amount <> 0);

-- +goose Down
ALTER TABLE funds_transfers DROP CONSTRAINT funds_transfers_amount_check;
ALTER TABLE funds_transfers ADD CONSTRAINT funds_transfers_amount_check CHECK (amount > 0);
