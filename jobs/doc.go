// Package jobs is the job queue: a job is staged in PostgreSQL (table jobs) in
// the same transaction as the work that asks for it, and its ID is pushed to
// Redis through asynq after commit. asynq gives retries with backoff and an
// archive (our dead-letter list); PostgreSQL keeps status and progress for the
// person who started the job. A sweeper re-enqueues staged jobs that Redis
// lost, and asynq's task-ID uniqueness makes the re-enqueue harmless when the
// task is still there. Handlers call metering and hygiene; they hold no SQL.
package jobs
