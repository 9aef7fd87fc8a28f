-- +goose Up
-- What the periodic checks (the box answering, the monthly record-MAC key
-- rotation) last concluded, kept here rather than in each worker's memory:
-- of several workers, or a worker that restarts, exactly one sees each
-- change from healthy to failing and back, and emails once.
CREATE TABLE watch_states (
    name       text PRIMARY KEY,
    failing    boolean NOT NULL DEFAULT false,
    detail     text NOT NULL DEFAULT '',
    changed_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE watch_states;
