-- +goose Up
-- A mailer's own identifiers for a recipient (their customer number, and a
-- free reference such as a policy or order number), so that a change of
-- address, an export or an API answer can be tied back to the mailer's own
-- record. external_id is unique within an account when given.
ALTER TABLE address_book ADD COLUMN external_id text NOT NULL DEFAULT '';
ALTER TABLE address_book ADD COLUMN reference text NOT NULL DEFAULT '';
CREATE UNIQUE INDEX address_book_external_id_idx ON address_book (account_id, external_id) WHERE external_id <> '';

-- +goose Down
DROP INDEX address_book_external_id_idx;
ALTER TABLE address_book DROP COLUMN reference;
ALTER TABLE address_book DROP COLUMN external_id;
