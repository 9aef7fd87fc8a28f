-- +goose Up
-- One-time links sent by email: a password reset, or the proof that an email
-- address is its user's. Only the SHA-256 of the token is kept; a link
-- expires and is used once.
CREATE TABLE account_tokens (
    token_hash  bytea PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose     text NOT NULL CHECK (purpose IN ('password_reset','verify_email')),
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX account_tokens_user_idx ON account_tokens (user_id, purpose);

-- A user's email is verified before their first purchase. Everyone who
-- exists already (seeded demo users, invited users who accepted by email)
-- counts as verified.
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;
UPDATE users SET email_verified_at = created_at;

-- +goose Down
ALTER TABLE users DROP COLUMN email_verified_at;
DROP TABLE account_tokens;
