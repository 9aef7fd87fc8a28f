-- +goose Up
-- The login history heals after a broken link: the next record starts a new
-- signed segment (its signed payload names the break) and an alert carries
-- the evidence to vendor admins. Records are ordered by (segment, seq); each
-- segment's sequence starts again at 1.
ALTER TABLE login_history ADD COLUMN tx_segment integer;
UPDATE login_history SET tx_segment = 1 WHERE tx_seq IS NOT NULL;
ALTER TABLE login_history DROP CONSTRAINT login_history_tx_seq_key,
    ADD CONSTRAINT login_history_tx_segment_seq_key UNIQUE (tx_segment, tx_seq),
    ADD CONSTRAINT login_history_tx_segment_check CHECK ((tx_seq IS NULL) = (tx_segment IS NULL));

CREATE TABLE login_chain_alerts (
    id               bigserial PRIMARY KEY,
    -- the stored record the box refused to chain onto (kept if it is deleted later)
    broken_login_id  bigint NOT NULL,
    broken_segment   integer NOT NULL,
    broken_seq       bigint NOT NULL,
    -- the record that started the new segment
    segment_login_id bigint NOT NULL UNIQUE,
    segment          integer NOT NULL UNIQUE,
    reason           text NOT NULL,
    detail           text NOT NULL,
    created_at       timestamptz NOT NULL,
    resolved_at      timestamptz,
    resolved_by      bigint REFERENCES users(id) ON DELETE SET NULL,
    resolution       text,
    CHECK ((resolved_at IS NULL) = (resolution IS NULL))
);
CREATE INDEX login_chain_alerts_open_idx ON login_chain_alerts (created_at DESC) WHERE resolved_at IS NULL;

-- +goose Down
DROP TABLE login_chain_alerts;
ALTER TABLE login_history DROP CONSTRAINT login_history_tx_segment_check,
    DROP CONSTRAINT login_history_tx_segment_seq_key,
    ADD CONSTRAINT login_history_tx_seq_key UNIQUE (tx_seq);
ALTER TABLE login_history DROP COLUMN tx_segment;
