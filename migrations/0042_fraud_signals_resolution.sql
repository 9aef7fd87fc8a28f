-- +goose Up
-- Postal staff and vendor admins mark a fraud signal as dealt with, as with
-- tamper and payment alerts: resolved_at (0040) says when; now also by whom
-- (kept NULL if the user is deleted, or for the system user) and what was
-- done. A signal is resolved exactly when it has a resolution.
ALTER TABLE fraud_signals
    ADD COLUMN resolved_by bigint REFERENCES users(id) ON DELETE SET NULL,
    ADD COLUMN resolution  text;
-- Nothing closed signals before this; one closed by hand keeps its time.
UPDATE fraud_signals SET resolution = 'Resolved before resolutions were recorded.' WHERE resolved_at IS NOT NULL;
ALTER TABLE fraud_signals
    ADD CONSTRAINT fraud_signals_resolution_check CHECK ((resolved_at IS NULL) = (resolution IS NULL));

-- +goose Down
ALTER TABLE fraud_signals
    DROP CONSTRAINT fraud_signals_resolution_check,
    DROP COLUMN resolution,
    DROP COLUMN resolved_by;
