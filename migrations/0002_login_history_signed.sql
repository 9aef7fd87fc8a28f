-- +goose Up
-- Login history is a chain signed by the transaction box (seed: transaction box 42).
ALTER TABLE login_history
    ADD COLUMN tx_seq bigint UNIQUE,
    ADD COLUMN tx_time timestamptz,
    ADD COLUMN tx_payload bytea,
    ADD COLUMN tx_prev bytea,
    ADD COLUMN tx_hash bytea,
    ADD COLUMN tx_sig bytea;

-- +goose Down
ALTER TABLE login_history DROP COLUMN tx_seq, DROP COLUMN tx_time, DROP COLUMN tx_payload, DROP COLUMN tx_prev, DROP COLUMN tx_hash, DROP COLUMN tx_sig;
