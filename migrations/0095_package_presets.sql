-- +goose Up
-- Saved package presets: what a mailer ships often, picked on the purchase
-- page or named in a batch file's preset column.
CREATE TABLE package_presets (
    id         bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES master_accounts(id) ON DELETE CASCADE,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    mail_class text NOT NULL,
    weight_oz  numeric(8,2) NOT NULL CHECK (weight_oz > 0),
    length_in  numeric(6,2) NOT NULL DEFAULT 0 CHECK (length_in >= 0),
    width_in   numeric(6,2) NOT NULL DEFAULT 0 CHECK (width_in >= 0),
    height_in  numeric(6,2) NOT NULL DEFAULT 0 CHECK (height_in >= 0),
    services   text[] NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX package_presets_account_name_key ON package_presets (account_id, lower(name));

-- +goose Down
DROP TABLE package_presets;
