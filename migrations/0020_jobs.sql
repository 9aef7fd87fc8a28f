-- +goose Up
-- A job is staged here in the same transaction as the work that asks for it;
-- Redis (asynq) only carries its ID, so a lost Redis loses no job.
CREATE TABLE jobs (
    id           bigserial PRIMARY KEY,
    kind         text NOT NULL,
    payload      jsonb NOT NULL DEFAULT '{}',
    status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','running','succeeded','failed','dead')),
    created_by   bigint REFERENCES users(id) ON DELETE SET NULL,
    account_id   bigint REFERENCES master_accounts(id) ON DELETE CASCADE,
    done         bigint NOT NULL DEFAULT 0,
    total        bigint NOT NULL DEFAULT 0,
    message      text NOT NULL DEFAULT '',
    result       jsonb,
    attempts     int NOT NULL DEFAULT 0,
    last_error   text NOT NULL DEFAULT '',
    enqueued_at  timestamptz,
    started_at   timestamptz,
    finished_at  timestamptz,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX jobs_pending_idx ON jobs (status, enqueued_at) WHERE status IN ('queued','running');
CREATE INDEX jobs_creator_idx ON jobs (created_by, created_at DESC);

-- +goose Down
DROP TABLE jobs;
