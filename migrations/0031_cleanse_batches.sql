-- +goose Up
-- A batch-cleansing upload. The input rows are COPYed into cleanse_rows in
-- the upload's transaction (with the job that cleanses them); the worker
-- COPYs its results into cleanse_results. PostgreSQL, not a file, so that
-- serve and worker need no shared disk and the result pages can paginate.
CREATE TABLE cleanse_batches (
    id          bigserial PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES master_accounts(id) ON DELETE CASCADE,
    created_by  bigint REFERENCES users(id) ON DELETE SET NULL,
    job_id      bigint REFERENCES jobs(id) ON DELETE SET NULL,
    filename    text NOT NULL,
    total_rows  bigint NOT NULL DEFAULT 0,
    bad_rows    bigint NOT NULL DEFAULT 0,
    -- counts per status once cleansed: {"valid": n, ...}
    counts      jsonb NOT NULL DEFAULT '{}',
    finished_at timestamptz,
    created_at  timestamptz NOT NULL
);
CREATE INDEX cleanse_batches_account_idx ON cleanse_batches (account_id, created_at DESC);

-- One input row: its line in the file and the address as one text (the
-- columns joined with newlines), or the reason it could not be read.
CREATE TABLE cleanse_rows (
    batch_id  bigint NOT NULL REFERENCES cleanse_batches(id) ON DELETE CASCADE,
    line      int NOT NULL,
    input     text NOT NULL,
    error     text NOT NULL DEFAULT '',
    PRIMARY KEY (batch_id, line)
);

CREATE TABLE cleanse_results (
    batch_id  bigint NOT NULL REFERENCES cleanse_batches(id) ON DELETE CASCADE,
    line      int NOT NULL,
    status    text NOT NULL,
    delivery  text NOT NULL DEFAULT '',
    last_line text NOT NULL DEFAULT '',
    zip       text NOT NULL DEFAULT '',
    zip4      text NOT NULL DEFAULT '',
    dpv       text NOT NULL DEFAULT '',
    reasons   text NOT NULL DEFAULT '',
    PRIMARY KEY (batch_id, line)
);

-- +goose Down
DROP TABLE cleanse_results;
DROP TABLE cleanse_rows;
DROP TABLE cleanse_batches;
