package jobs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/db"
)

const taskType = "indicia:job"

// DefaultMaxCrashes is Options.MaxCrashes when unset (config JOB_MAX_CRASHES).
const DefaultMaxCrashes = 3

// Options tune the queue.
type Options struct {
	// Name is the asynq queue; one per deployment (tests use one per test).
	Name string
	// MaxRetry is how many times a failing job is retried before it is dead.
	MaxRetry int
	// MaxCrashes is how many attempts may end without an outcome (the worker
	// died, the handler panicked) before the job is dead (default 3): a job
	// that takes the worker down does not take it down forever.
	MaxCrashes int
	// RetryDelay overrides asynq's exponential backoff (tests use a short one).
	RetryDelay func(n int) time.Duration
	// CheckInterval is how often the worker looks for due retries (asynq's default is seconds; tests use less).
	CheckInterval time.Duration
	Now           func() time.Time
}

// Queue stages, enqueues and inspects jobs.
type Queue struct {
	pool      *pgxpool.Pool
	rdb       *redis.Client
	client    *asynq.Client
	inspector *asynq.Inspector
	opt       Options
}

// NewQueue builds a queue on a shared go-redis client.
func NewQueue(pool *pgxpool.Pool, rdb *redis.Client, opt Options) *Queue {
	if opt.Name == "" {
		opt.Name = "indicia"
	}
	if opt.MaxRetry == 0 {
		opt.MaxRetry = 5
	}
	if opt.MaxCrashes <= 0 {
		opt.MaxCrashes = DefaultMaxCrashes
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Queue{pool: pool, rdb: rdb, client: asynq.NewClientFromRedisClient(rdb), inspector: asynq.NewInspectorFromRedisClient(rdb), opt: opt}
}

func taskID(id int64) string { return "job-" + strconv.FormatInt(id, 10) }

// Enqueue pushes a staged job to Redis. A job already queued there is left alone.
func (q *Queue) Enqueue(ctx context.Context, id int64) error {
	_, err := q.enqueue(ctx, id)
	return err
}

// enqueue reports whether Redis did not hold the task yet.
func (q *Queue) enqueue(ctx context.Context, id int64) (bool, error) {
	t := asynq.NewTask(taskType, []byte(strconv.FormatInt(id, 10)))
	_, err := q.client.EnqueueContext(ctx, t, asynq.TaskID(taskID(id)), asynq.Queue(q.opt.Name), asynq.MaxRetry(q.opt.MaxRetry))
	created := err == nil
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		// The job stays staged in PostgreSQL; the sweeper enqueues it later.
		return false, fmt.Errorf("jobs: enqueue %d: %w", id, err)
	}
	if _, err := q.pool.Exec(ctx, `UPDATE jobs SET enqueued_at = $1, updated_at = $1 WHERE id = $2`, q.opt.Now().UTC(), id); err != nil {
		return created, fmt.Errorf("jobs: mark %d enqueued: %w", id, err)
	}
	return created, nil
}

// Submit stages a job in its own transaction and enqueues it.
func (q *Queue) Submit(ctx context.Context, n New) (int64, error) {
	var id int64
	err := db.Transact(ctx, q.pool, func(tx pgx.Tx) error {
		var err error
		id, err = Stage(ctx, tx, n, q.opt.Now().UTC())
		return err
	})
	if err != nil {
		return 0, err
	}
	if err := q.Enqueue(ctx, id); err != nil {
		// Staged is enough: the sweeper will enqueue it when Redis is back.
		return id, nil
	}
	return id, nil
}

// Retry puts a dead job back on the queue (vendor admins).
func (q *Queue) Retry(ctx context.Context, actor accounts.User, id int64) error {
	if actor.Role != accounts.RoleAdmin {
		return apperr.Forbidden("Only vendor admins retry failed jobs.")
	}
	tag, err := q.pool.Exec(ctx, `UPDATE jobs SET status = 'queued', attempts = 0, crashes = 0, last_error = '', finished_at = NULL, updated_at = $2
		WHERE id = $1 AND status = 'dead'`, id, q.opt.Now().UTC())
	if err != nil {
		return fmt.Errorf("jobs: retry %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return apperr.NotFound("No such failed job.")
	}
	// The archived task still holds the task ID; remove it so the new one can take it.
	_ = q.inspector.DeleteTask(q.opt.Name, taskID(id))
	return q.Enqueue(ctx, id)
}

// Sweep re-enqueues jobs that PostgreSQL says are pending but Redis does not
// hold (Redis restarted without persistence, or an enqueue failed). It returns
// how many it re-enqueued.
func (q *Queue) Sweep(ctx context.Context, olderThan time.Duration) (int, error) {
	rows, err := q.pool.Query(ctx, `SELECT id FROM jobs WHERE status IN ('queued','running','failed')
		AND (enqueued_at IS NULL OR updated_at < $1)`, q.opt.Now().UTC().Add(-olderThan))
	if err != nil {
		return 0, fmt.Errorf("jobs: sweep: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, fmt.Errorf("jobs: sweep: %w", err)
	}
	n := 0
	for _, id := range ids {
		// Enqueueing under the same task ID is a no-op when Redis still holds it.
		created, err := q.enqueue(ctx, id)
		if err != nil {
			return n, err
		}
		if created {
			n++
			continue
		}
		if info, err := q.inspector.GetTaskInfo(q.opt.Name, taskID(id)); err == nil && info.State == asynq.TaskStateArchived {
			// asynq gave up on it (its worker kept dying until retries ran
			// out) without the job recording an outcome.
			if err := q.bury(ctx, id); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// bury moves a job asynq archived while it was unfinished to the dead letters.
func (q *Queue) bury(ctx context.Context, id int64) error {
	_, err := q.pool.Exec(ctx, `UPDATE jobs SET crashes = crashes + (status = 'running')::int, status = 'dead',
		last_error = CASE WHEN status = 'running' THEN format('crashed %s time%s (last: the worker stopped while running it)', crashes + 1, CASE WHEN crashes = 0 THEN '' ELSE 's' END) ELSE last_error END,
		finished_at = $2, updated_at = $2 WHERE id = $1 AND status IN ('queued','running','failed')`, id, q.opt.Now().UTC())
	if err != nil {
		return fmt.Errorf("jobs: bury %d: %w", id, err)
	}
	return nil
}

// Close releases the Redis-side clients (not the shared go-redis client).
func (q *Queue) Close() error {
	q.inspector.Close()
	return q.client.Close()
}

// Name is the asynq queue this Queue feeds.
func (q *Queue) Name() string { return q.opt.Name }
