package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5"
)

// HandlerFunc does one kind of job and returns its result (stored as JSON).
type HandlerFunc func(ctx context.Context, j Job, p *Progress) (any, error)

// Runner executes jobs: `indicia worker` runs one.
type Runner struct {
	q        *Queue
	handlers map[string]HandlerFunc
	conc     int
}

// NewRunner builds a runner with the given concurrency.
func (q *Queue) NewRunner(concurrency int) *Runner {
	if concurrency < 1 {
		concurrency = 4
	}
	return &Runner{q: q, handlers: map[string]HandlerFunc{}, conc: concurrency}
}

// Register adds the handler of one job kind.
func (r *Runner) Register(kind string, fn HandlerFunc) { r.handlers[kind] = fn }

// Run processes jobs and sweeps lost ones until ctx ends.
func (r *Runner) Run(ctx context.Context) error {
	cfg := asynq.Config{
		Concurrency:     r.conc,
		Queues:          map[string]int{r.q.opt.Name: 1},
		LogLevel:        asynq.WarnLevel,
		BaseContext:     func() context.Context { return ctx },
		ShutdownTimeout: 20 * time.Second,
	}
	if ci := r.q.opt.CheckInterval; ci > 0 {
		cfg.DelayedTaskCheckInterval, cfg.TaskCheckInterval = ci, ci
	}
	if r.q.opt.RetryDelay != nil {
		cfg.RetryDelayFunc = func(n int, _ error, _ *asynq.Task) time.Duration { return r.q.opt.RetryDelay(n) }
	}
	srv := asynq.NewServerFromRedisClient(r.q.rdb, cfg)
	if err := srv.Start(asynq.HandlerFunc(r.process)); err != nil {
		return fmt.Errorf("jobs: start worker: %w", err)
	}
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	for {
		if n, err := r.q.Sweep(ctx, time.Minute); err != nil {
			slog.Warn("jobs: sweep", "err", err)
		} else if n > 0 {
			slog.Info("jobs: re-enqueued jobs Redis had lost", "count", n)
		}
		select {
		case <-ctx.Done():
			srv.Shutdown()
			return nil
		case <-tick.C:
		}
	}
}

func (r *Runner) process(ctx context.Context, t *asynq.Task) error {
	id, err := strconv.ParseInt(string(t.Payload()), 10, 64)
	if err != nil {
		return fmt.Errorf("jobs: bad task payload %q: %w", t.Payload(), asynq.SkipRetry)
	}
	q := r.q
	j, err := scanJob(q.pool.QueryRow(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil // withdrawn: nothing to do
	}
	if err != nil {
		return fmt.Errorf("jobs: load %d: %w", id, err)
	}
	if j.Status == StatusSucceeded || j.Status == StatusDead {
		return nil // a duplicate delivery
	}
	now := q.opt.Now().UTC()
	if _, err := q.pool.Exec(ctx, `UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = $2, updated_at = $2 WHERE id = $1`, id, now); err != nil {
		return fmt.Errorf("jobs: mark %d running: %w", id, err)
	}
	fn, ok := r.handlers[j.Kind]
	if !ok {
		r.finish(ctx, id, StatusDead, nil, "no handler for job kind "+j.Kind)
		return fmt.Errorf("jobs: unknown kind %q: %w", j.Kind, asynq.SkipRetry)
	}
	p := &Progress{q: q, id: id, done: j.Done, total: j.Total}
	result, err := fn(ctx, j, p)
	p.flush(ctx)
	if err != nil {
		retried, _ := asynq.GetRetryCount(ctx)
		max, _ := asynq.GetMaxRetry(ctx)
		status := StatusFailed
		if retried >= max || errors.Is(err, asynq.SkipRetry) {
			status = StatusDead
		}
		r.finish(ctx, id, status, nil, err.Error())
		slog.Warn("jobs: job failed", "job", id, "kind", j.Kind, "status", status, "err", err)
		return err
	}
	r.finish(ctx, id, StatusSucceeded, result, "")
	return nil
}

func (r *Runner) finish(ctx context.Context, id int64, status string, result any, errText string) {
	var res []byte
	if result != nil {
		res, _ = json.Marshal(result)
	}
	now := r.q.opt.Now().UTC()
	var finished any
	if status == StatusSucceeded || status == StatusDead {
		finished = now
	}
	_, err := r.q.pool.Exec(ctx, `UPDATE jobs SET status = $2, result = COALESCE($3, result), last_error = $4, finished_at = $5, updated_at = $6,
		done = CASE WHEN $2 = 'succeeded' AND total > 0 THEN total ELSE done END WHERE id = $1`, id, status, res, errText, finished, now)
	if err != nil {
		slog.Error("jobs: record outcome", "job", id, "err", err)
	}
}

// Progress lets a handler report how far it is; writes are throttled.
type Progress struct {
	q           *Queue
	id          int64
	mu          sync.Mutex
	done, total int64
	msg         string
	last        time.Time
	dirty       bool
}

// Set records done of total and, at most five times a second, saves it.
func (p *Progress) Set(ctx context.Context, done, total int64, msg string) {
	p.mu.Lock()
	p.done, p.total, p.dirty = done, total, true
	if msg != "" {
		p.msg = msg
	}
	due := time.Since(p.last) > 200*time.Millisecond
	p.mu.Unlock()
	if due {
		p.flush(ctx)
	}
}

func (p *Progress) flush(ctx context.Context) {
	p.mu.Lock()
	if !p.dirty {
		p.mu.Unlock()
		return
	}
	done, total, msg := p.done, p.total, p.msg
	p.last, p.dirty = time.Now(), false
	p.mu.Unlock()
	if _, err := p.q.pool.Exec(ctx, `UPDATE jobs SET done = $2, total = $3, message = $4, updated_at = $5 WHERE id = $1`,
		p.id, done, total, msg, p.q.opt.Now().UTC()); err != nil {
		slog.Warn("jobs: save progress", "job", p.id, "err", err)
	}
}
