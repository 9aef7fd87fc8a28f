-- +goose Up
-- A duplicate-use fraud signal keeps its evidence as data beside the
-- one-line detail: the rule that made the scan a duplicate, the label's first
-- scan and the duplicate scan (piece references, locations, times,
-- verifiers). Signals written before carry none.
ALTER TABLE fraud_signals ADD COLUMN evidence jsonb;

-- +goose Down
ALTER TABLE fraud_signals DROP COLUMN evidence;
