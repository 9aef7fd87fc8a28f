-- +goose Up
-- A vendor admin marks a payment alert as dealt with, as with tamper alerts:
-- when, by whom (kept NULL if the user is deleted, or for the system user) and
-- what was done. An alert is resolved exactly when it has a resolution.
ALTER TABLE payment_alerts
    ADD COLUMN resolved_at timestamptz,
    ADD COLUMN resolved_by bigint REFERENCES users(id) ON DELETE SET NULL,
    ADD COLUMN resolution  text,
    ADD CONSTRAINT payment_alerts_resolution_check CHECK ((resolved_at IS NULL) = (resolution IS NULL));
CREATE INDEX payment_alerts_open_idx ON payment_alerts (created_at DESC) WHERE resolved_at IS NULL;

-- +goose Down
DROP INDEX payment_alerts_open_idx;
ALTER TABLE payment_alerts
    DROP CONSTRAINT payment_alerts_resolution_check,
    DROP COLUMN resolution,
    DROP COLUMN resolved_by,
    DROP COLUMN resolved_at;
