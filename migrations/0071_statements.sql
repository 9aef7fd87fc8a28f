-- +goose Up
-- One monthly statement per master account, stored as it was sent (PDF and
-- CSV), so the statement a customer received never changes afterwards.
CREATE TABLE statements (
    id          bigserial PRIMARY KEY,
    public_id   text NOT NULL UNIQUE,
    account_id  bigint NOT NULL REFERENCES master_accounts(id) ON DELETE CASCADE,
    month       date NOT NULL CHECK (extract(day FROM month) = 1),
    opening     bigint NOT NULL,
    closing     bigint NOT NULL,
    pdf         bytea NOT NULL,
    csv         bytea NOT NULL,
    emailed_at  timestamptz,
    created_at  timestamptz NOT NULL,
    UNIQUE (account_id, month)
);
CREATE INDEX statements_unsent_idx ON statements (id) WHERE emailed_at IS NULL;

-- A mailer user who wants the monthly statement by email (owners always get it).
ALTER TABLE users ADD COLUMN statement_emails boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE users DROP COLUMN statement_emails;
DROP TABLE statements;
