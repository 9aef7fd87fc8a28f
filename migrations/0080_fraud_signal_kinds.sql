-- +goose Up
-- Fraud signals beyond duplicate use. Some concern a meter rather than one
-- label (its volume against its revenue, its void rate), so a signal may name
-- its meter directly. Signals raised by the nightly sweep carry a key naming
-- what they are about (a meter and a day or week), so running the sweep again,
-- on one worker or many, never raises the same signal twice.
ALTER TABLE fraud_signals
    ADD COLUMN meter_id  bigint REFERENCES meters(id),
    ADD COLUMN dedup_key text;
UPDATE fraud_signals f SET meter_id = i.meter_id FROM indicia i WHERE i.id = f.indicium_id;
CREATE UNIQUE INDEX fraud_signals_dedup_idx ON fraud_signals (kind, dedup_key) WHERE dedup_key IS NOT NULL;
CREATE INDEX fraud_signals_meter_idx ON fraud_signals (meter_id, created_at DESC) WHERE meter_id IS NOT NULL;
-- The sweep and the postal views read recent labels by day of issue and of use.
CREATE INDEX indicia_created_idx ON indicia (created_at);
CREATE INDEX indicia_used_idx ON indicia (used_at) WHERE used_at IS NOT NULL;

-- +goose Down
DROP INDEX indicia_used_idx;
DROP INDEX indicia_created_idx;
DROP INDEX fraud_signals_meter_idx;
DROP INDEX fraud_signals_dedup_idx;
ALTER TABLE fraud_signals DROP COLUMN dedup_key, DROP COLUMN meter_id;
