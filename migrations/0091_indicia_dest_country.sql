-- +goose Up
-- The destination country of a piece (ISO 3166-1 alpha-2); every label
-- before this one went to a US address.
ALTER TABLE indicia ADD COLUMN dest_country text NOT NULL DEFAULT 'US'
    CHECK (dest_country ~ '^[A-Z]{2}$');

-- +goose Down
ALTER TABLE indicia DROP COLUMN dest_country;
