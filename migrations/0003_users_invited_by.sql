-- +goose Up
-- Who sent an invitation, so the invitation page can say who is asking the
-- person to join (a stranger's link is easier to spot).
ALTER TABLE users ADD COLUMN invited_by bigint REFERENCES users(id) ON DELETE SET NULL;

-- +goose Down
ALTER TABLE users DROP COLUMN invited_by;
