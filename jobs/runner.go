package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5"

	"indicia/db"
)

// HandlerFunc does one kind of job and returns its result (stored as JSON).
type HandlerFunc func(ctx context.Context, j Job, p *Progress) (any, error)

// Runner executes jobs: `indicia worker` runs one.
type Runner struct {
	q        *Queue
	handlers map[string]HandlerFunc
	conc     int
	temp     *tempFiles
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
	if r.temp != nil {
		// Left by a worker that died mid-job.
		if n, err := CleanTempDir(r.temp.dir, time.Now()); err != nil {
			return err
		} else if n > 0 {
			slog.Info("jobs: removed temporary files left by an earlier worker", "dir", r.temp.dir, "count", n)
		}
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
	j, run, err := r.begin(ctx, id)
	if err != nil || !run {
		return err
	}
	r.started(id)
	defer r.ended(id)
	fn, ok := r.handlers[j.Kind]
	if !ok {
		r.finish(ctx, id, StatusDead, nil, "no handler for job kind "+j.Kind, false)
		return fmt.Errorf("jobs: unknown kind %q: %w", j.Kind, asynq.SkipRetry)
	}
	p := &Progress{q: r.q, id: id, done: j.Done, total: j.Total}
	result, err := call(ctx, fn, j, p)
	p.flush(ctx)
	var pe *panicError
	if errors.As(err, &pe) {
		// A panic is a crash the process survived: it counts like one.
		status := StatusFailed
		reason := pe.Error()
		if j.Crashes+1 >= r.q.opt.MaxCrashes {
			status, reason = StatusDead, crashReason(j.Crashes+1, reason)
		}
		r.finish(ctx, id, status, nil, reason, true)
		slog.Error("jobs: job panicked", "job", id, "kind", j.Kind, "status", status, "panic", pe.value, "stack", string(pe.stack))
		if status == StatusDead {
			return fmt.Errorf("jobs: %s: %w", reason, asynq.SkipRetry)
		}
		return errors.New(reason)
	}
	if err != nil && ctx.Err() != nil {
		// The worker is shutting down: asynq puts the task back, and an
		// interrupted attempt is neither a failure nor a crash.
		r.finish(ctx, id, StatusQueued, nil, "", false)
		return err
	}
	if err != nil {
		retried, _ := asynq.GetRetryCount(ctx)
		max, _ := asynq.GetMaxRetry(ctx)
		status := StatusFailed
		if retried >= max || errors.Is(err, asynq.SkipRetry) {
			status = StatusDead
		}
		r.finish(ctx, id, status, nil, err.Error(), false)
		slog.Warn("jobs: job failed", "job", id, "kind", j.Kind, "status", status, "err", err)
		return err
	}
	r.finish(ctx, id, StatusSucceeded, result, "", false)
	return nil
}

// begin records the start of an attempt before the handler runs, so that an
// attempt the worker never finishes (it was killed, or ran out of memory) is
// seen at the next pickup: the job is still "running" then. Such attempts are
// counted, and after Options.MaxCrashes the job is dead instead of run again.
// run is false when there is nothing to run.
func (r *Runner) begin(ctx context.Context, id int64) (j Job, run bool, err error) {
	q := r.q
	now := q.opt.Now().UTC()
	var reason string
	err = db.Transact(ctx, q.pool, func(tx pgx.Tx) error {
		j, err = scanJob(tx.QueryRow(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return err
		}
		if j.Finished() {
			return nil // a duplicate delivery
		}
		if j.Status == StatusRunning {
			j.Crashes++
			j.LastError = "the worker stopped while running it"
		}
		if j.Crashes >= q.opt.MaxCrashes {
			reason = crashReason(j.Crashes, j.LastError)
			_, err := tx.Exec(ctx, `UPDATE jobs SET status = 'dead', crashes = $2, last_error = $3, finished_at = $4, updated_at = $4 WHERE id = $1`,
				id, j.Crashes, reason, now)
			return err
		}
		run = true
		_, err := tx.Exec(ctx, `UPDATE jobs SET status = 'running', attempts = attempts + 1, crashes = $2, started_at = $3, updated_at = $3 WHERE id = $1`,
			id, j.Crashes, now)
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return j, false, nil // withdrawn: nothing to do
	}
	if err != nil {
		return j, false, fmt.Errorf("jobs: start %d: %w", id, err)
	}
	if reason != "" {
		slog.Error("jobs: job is dead after crashes", "job", id, "kind", j.Kind, "reason", reason)
		return j, false, fmt.Errorf("jobs: job %d %s: %w", id, reason, asynq.SkipRetry)
	}
	return j, run, nil
}

// crashReason is the dead letter's reason after n crashes.
func crashReason(n int, last string) string {
	s := fmt.Sprintf("crashed %d times", n)
	if n == 1 {
		s = "crashed 1 time"
	}
	if last != "" {
		s += " (last: " + last + ")"
	}
	return s
}

// panicError is a handler's panic, recovered so the worker and the other
// jobs carry on.
type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("panic: %v", e.value) }

// call runs one handler, turning a panic into a *panicError.
func call(ctx context.Context, fn HandlerFunc, j Job, p *Progress) (result any, err error) {
	defer func() {
		if v := recover(); v != nil {
			result, err = nil, &panicError{value: v, stack: debug.Stack()}
		}
	}()
	return fn(ctx, j, p)
}

// finish records an attempt's outcome; crashed adds the attempt to the job's crashes.
func (r *Runner) finish(ctx context.Context, id int64, status string, result any, errText string, crashed bool) {
	var res []byte
	if result != nil {
		res, _ = json.Marshal(result)
	}
	// Recorded even when the job's context ended (shutdown): the outcome must not be lost.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	now := r.q.opt.Now().UTC()
	var finished any
	if status == StatusSucceeded || status == StatusDead {
		finished = now
	}
	_, err := r.q.pool.Exec(ctx, `UPDATE jobs SET status = $2, result = COALESCE($3, result), last_error = $4, finished_at = $5, updated_at = $6,
		crashes = crashes + $7, done = CASE WHEN $2 = 'succeeded' AND total > 0 THEN total ELSE done END WHERE id = $1`,
		id, status, res, errText, finished, now, btoi(crashed))
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

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
