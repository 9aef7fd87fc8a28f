-- +goose Up
-- crashes counts attempts that started but never recorded an outcome (the
-- worker died, or the handler panicked); after JOB_MAX_CRASHES the job is
-- dead instead of taking the worker down again.
ALTER TABLE jobs ADD COLUMN crashes int NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE jobs DROP COLUMN crashes;
