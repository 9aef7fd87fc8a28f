-- +goose Up
CREATE SEQUENCE customer_id_seq START 100001;

CREATE TABLE master_accounts (
    id            bigserial PRIMARY KEY,
    customer_id   bigint NOT NULL UNIQUE DEFAULT nextval('customer_id_seq'),
    company       text NOT NULL,
    address_line1 text NOT NULL,
    address_line2 text NOT NULL DEFAULT '',
    city          text NOT NULL,
    state         text NOT NULL,
    zip           text NOT NULL,
    origin_zip    text NOT NULL,
    created_at    timestamptz NOT NULL
);

CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    account_id    bigint REFERENCES master_accounts(id) ON DELETE CASCADE,
    email         text NOT NULL,
    name          text NOT NULL,
    password_hash text NOT NULL,
    role          text NOT NULL CHECK (role IN ('mailer_owner','mailer_user','postal_staff','vendor_admin')),
    permissions   text[] NOT NULL DEFAULT '{}',
    disabled      boolean NOT NULL DEFAULT false,
    -- an invited user has no password until they open the link; only its hash is kept
    invite_hash    bytea UNIQUE,
    invite_expires timestamptz,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    -- mailers belong to an account; staff and admins do not
    CHECK ((role IN ('mailer_owner','mailer_user')) = (account_id IS NOT NULL))
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_account_idx ON users (account_id);

CREATE TABLE login_history (
    id         bigserial PRIMARY KEY,
    user_id    bigint REFERENCES users(id) ON DELETE SET NULL,
    account_id bigint REFERENCES master_accounts(id) ON DELETE CASCADE,
    email      text NOT NULL,
    success    boolean NOT NULL,
    reason     text NOT NULL DEFAULT '',
    ip         text NOT NULL,
    user_agent text NOT NULL,
    at         timestamptz NOT NULL
);
CREATE INDEX login_history_user_idx ON login_history (user_id, at DESC);
CREATE INDEX login_history_account_idx ON login_history (account_id, at DESC);

CREATE TABLE api_keys (
    id          bigserial PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES master_accounts(id) ON DELETE CASCADE,
    created_by  bigint REFERENCES users(id) ON DELETE SET NULL,
    name        text NOT NULL,
    prefix      text NOT NULL UNIQUE,
    hash        bytea NOT NULL,
    scopes      text[] NOT NULL,
    created_at  timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at  timestamptz
);
CREATE INDEX api_keys_account_idx ON api_keys (account_id);

-- +goose Down
DROP TABLE api_keys;
DROP TABLE login_history;
DROP TABLE users;
DROP TABLE master_accounts;
DROP SEQUENCE customer_id_seq;
