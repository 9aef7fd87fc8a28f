-- +goose Up
-- Void and verification. A label's first scan by
-- postal staff marks it used: a used label cannot be voided, and the same
-- indicium scanned on another piece is a duplicate.
ALTER TABLE indicia
    ADD COLUMN void_reason    text NOT NULL DEFAULT '',
    ADD COLUMN used_at        timestamptz,
    ADD COLUMN used_piece_ref text NOT NULL DEFAULT '',
    ADD COLUMN used_location  text NOT NULL DEFAULT '';
-- The refund job scans issued, never-scanned labels by date of mailing.
CREATE INDEX indicia_refund_idx ON indicia (mailing_date) WHERE status = 'issued' AND used_at IS NULL;

-- Every verification, whoever asked and whatever the answer.
CREATE TABLE verifications (
    id              bigserial PRIMARY KEY,
    user_id         bigint REFERENCES users(id) ON DELETE SET NULL,
    indicium_id     bigint REFERENCES indicia(id),
    result          text NOT NULL CHECK (result IN ('valid','invalid','void','duplicate')),
    reason          text NOT NULL DEFAULT '',
    indicium_hash   bytea,
    serial          text NOT NULL DEFAULT '',
    piece_number    bigint NOT NULL DEFAULT 0,
    piece_ref       text NOT NULL DEFAULT '',
    location        text NOT NULL DEFAULT '',
    ip              text NOT NULL DEFAULT '',
    recipient_match boolean,
    created_at      timestamptz NOT NULL
);
CREATE INDEX verifications_created_idx ON verifications (created_at DESC);
CREATE INDEX verifications_indicium_idx ON verifications (indicium_id, id);

-- Signals for postal fraud review (one indicium on two pieces, for now).
CREATE TABLE fraud_signals (
    id              bigserial PRIMARY KEY,
    kind            text NOT NULL,
    indicium_id     bigint REFERENCES indicia(id),
    verification_id bigint REFERENCES verifications(id),
    detail          text NOT NULL,
    created_at      timestamptz NOT NULL,
    resolved_at     timestamptz
);
CREATE INDEX fraud_signals_open_idx ON fraud_signals (created_at DESC) WHERE resolved_at IS NULL;

-- One scheduled refund submission per day, whatever number of workers run.
CREATE TABLE refund_runs (
    day        date PRIMARY KEY,
    job_id     bigint,
    created_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE refund_runs;
DROP TABLE fraud_signals;
DROP TABLE verifications;
DROP INDEX indicia_refund_idx;
ALTER TABLE indicia DROP COLUMN used_location, DROP COLUMN used_piece_ref, DROP COLUMN used_at, DROP COLUMN void_reason;
