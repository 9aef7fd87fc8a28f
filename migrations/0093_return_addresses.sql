-- +goose Up
-- An account's ship-from (return) addresses. Lines are the cleansed address
-- as the label prints it; at most one is the default. Archived, never
-- deleted, so a label keeps the address it printed.
CREATE TABLE return_addresses (
    id          bigserial PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES master_accounts(id) ON DELETE CASCADE,
    nickname    text NOT NULL CHECK (length(nickname) BETWEEN 1 AND 60),
    name        text NOT NULL DEFAULT '' CHECK (length(name) <= 64),
    company     text NOT NULL DEFAULT '' CHECK (length(company) <= 64),
    address     text NOT NULL CHECK (length(address) BETWEEN 1 AND 256),
    lines       jsonb NOT NULL,
    is_default  boolean NOT NULL DEFAULT false,
    archived_at timestamptz,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    CHECK (NOT (is_default AND archived_at IS NOT NULL))
);
CREATE UNIQUE INDEX return_addresses_account_nickname_key ON return_addresses (account_id, lower(nickname));
CREATE UNIQUE INDEX return_addresses_one_default ON return_addresses (account_id) WHERE is_default;

-- +goose Down
DROP TABLE return_addresses;
