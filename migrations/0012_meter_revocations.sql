-- +goose Up
-- A meter's certificate revoked from a time: labels it signed dated from
-- then on verify as revoked (server, page, and offline through the signed
-- revocation list published beside the certificates). One row per meter: a
-- later revocation can only move the time earlier, never lift it.
CREATE TABLE meter_revocations (
    meter_id     bigint PRIMARY KEY REFERENCES meters(id),
    serial       text NOT NULL,
    cert_serial  bytea NOT NULL,
    revoked_from timestamptz NOT NULL,
    reason       text NOT NULL,
    revoked_by   bigint REFERENCES users(id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX meter_revocations_serial_idx ON meter_revocations (serial);

-- +goose Down
DROP TABLE meter_revocations;
