-- +goose Up
-- The piece's cost code; null when the account charged none.
ALTER TABLE indicia ADD COLUMN cost_code_id bigint REFERENCES cost_codes(id);

-- +goose Down
ALTER TABLE indicia DROP COLUMN cost_code_id;
