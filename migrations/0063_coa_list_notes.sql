-- +goose Up
-- A loaded list also records the rows it corrected (a ZIP that lost its
-- leading zero, restored from the city and state) with the reason, beside
-- the rows it refused.
ALTER TABLE coa_list_errors ADD COLUMN kind text NOT NULL DEFAULT 'refused' CHECK (kind IN ('refused','corrected'));
ALTER TABLE coa_lists ADD COLUMN corrected_rows bigint NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE coa_lists DROP COLUMN corrected_rows;
ALTER TABLE coa_list_errors DROP COLUMN kind;
