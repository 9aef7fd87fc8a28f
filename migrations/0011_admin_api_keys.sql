-- +goose Up
-- Vendor admins hold API keys too (meter lifecycle through the API); theirs belong to no master account.
ALTER TABLE api_keys ALTER COLUMN account_id DROP NOT NULL;

-- +goose Down
DELETE FROM api_keys WHERE account_id IS NULL;
ALTER TABLE api_keys ALTER COLUMN account_id SET NOT NULL;
