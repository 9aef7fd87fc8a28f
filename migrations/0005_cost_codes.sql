-- +goose Up
-- Cost codes (departments) let a master account charge postage to its own
-- budgets. They are archived, never deleted, so old labels keep their code.
CREATE TABLE cost_codes (
    id          bigserial PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES master_accounts(id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    code        text NOT NULL DEFAULT '' CHECK (length(code) <= 20),
    archived_at timestamptz,
    created_at  timestamptz NOT NULL
);
CREATE UNIQUE INDEX cost_codes_account_name_key ON cost_codes (account_id, lower(name));
CREATE UNIQUE INDEX cost_codes_account_code_key ON cost_codes (account_id, lower(code)) WHERE code <> '';

-- A user with rows here may charge only these cost codes; a user without rows may charge any.
CREATE TABLE user_cost_codes (
    user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    cost_code_id bigint NOT NULL REFERENCES cost_codes(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, cost_code_id)
);

ALTER TABLE master_accounts ADD COLUMN cost_code_required boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE master_accounts DROP COLUMN cost_code_required;
DROP TABLE user_cost_codes;
DROP TABLE cost_codes;
