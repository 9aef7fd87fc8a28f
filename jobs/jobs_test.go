package jobs_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/db"
	"indicia/db/dbtest"
	"indicia/jobs"
)

func newQueue(t *testing.T) (*jobs.Queue, func(kind string, fn jobs.HandlerFunc)) {
	t.Helper()
	pool := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	name := strings.TrimSuffix(strings.ReplaceAll(prefix, ":", "-"), "-")
	q := jobs.NewQueue(pool, rdb, jobs.Options{Name: name, MaxRetry: 2, RetryDelay: func(int) time.Duration { return 50 * time.Millisecond }, CheckInterval: 50 * time.Millisecond})
	t.Cleanup(func() {
		asynq.NewInspectorFromRedisClient(rdb).DeleteQueue(name, true)
		q.Close()
	})
	r := q.NewRunner(2)
	ctx, cancel := context.WithCancel(context.Background())
	started := false
	register := func(kind string, fn jobs.HandlerFunc) {
		r.Register(kind, fn)
		if !started {
			started = true
			done := make(chan struct{})
			go func() { r.Run(ctx); close(done) }()
			t.Cleanup(func() { cancel(); <-done })
		}
	}
	return q, register
}

func wait(t *testing.T, q *jobs.Queue, id int64, status string) jobs.Job {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		j, err := q.Get(context.Background(), accounts.System, id)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status == status {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d is %s (%s), want %s", id, j.Status, j.LastError, status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestJobRunsWithProgressAndResult(t *testing.T) {
	q, register := newQueue(t)
	register("count", func(ctx context.Context, j jobs.Job, p *jobs.Progress) (any, error) {
		for i := int64(1); i <= 10; i++ {
			p.Set(ctx, i, 10, "counting")
		}
		return map[string]int{"counted": 10}, nil
	})
	id, err := q.Submit(context.Background(), jobs.New{Kind: "count", Payload: map[string]int{"n": 10}})
	if err != nil {
		t.Fatal(err)
	}
	j := wait(t, q, id, jobs.StatusSucceeded)
	if j.Percent() != 100 || !strings.Contains(string(j.Result), `"counted": 10`) && !strings.Contains(string(j.Result), `"counted":10`) {
		t.Errorf("job %+v", j)
	}
}

func TestFailingJobIsRetriedThenDeadAndCanBeRetried(t *testing.T) {
	q, register := newQueue(t)
	var calls atomic.Int32
	var healthy atomic.Bool
	register("flaky", func(ctx context.Context, j jobs.Job, p *jobs.Progress) (any, error) {
		calls.Add(1)
		if healthy.Load() {
			return nil, nil
		}
		return nil, errors.New("remote service down")
	})
	id, _ := q.Submit(context.Background(), jobs.New{Kind: "flaky"})
	j := wait(t, q, id, jobs.StatusDead)
	if got := calls.Load(); got != 3 {
		t.Errorf("handler ran %d times, want 3 (1 + MaxRetry 2)", got)
	}
	if j.LastError != "remote service down" || j.Attempts != 3 {
		t.Errorf("dead job %+v", j)
	}
	admin := accounts.User{Role: accounts.RoleAdmin}
	dead, err := q.Dead(context.Background(), admin, 10)
	if err != nil || len(dead) != 1 || dead[0].ID != id {
		t.Fatalf("dead-letter list %v %v", dead, err)
	}
	if _, err := q.Dead(context.Background(), accounts.User{Role: accounts.RoleOwner}, 10); err == nil {
		t.Error("a mailer saw the dead-letter list")
	}
	healthy.Store(true)
	if err := q.Retry(context.Background(), admin, id); err != nil {
		t.Fatal(err)
	}
	wait(t, q, id, jobs.StatusSucceeded)
}

func TestJobLostByRedisIsReenqueuedFromPostgres(t *testing.T) {
	pool := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	name := strings.ReplaceAll(prefix, ":", "-") + "lost"
	q := jobs.NewQueue(pool, rdb, jobs.Options{Name: name})
	insp := asynq.NewInspectorFromRedisClient(rdb)
	t.Cleanup(func() { insp.DeleteQueue(name, true); q.Close() })
	id, err := q.Submit(context.Background(), jobs.New{Kind: "noop"})
	if err != nil {
		t.Fatal(err)
	}
	// Redis forgets everything (no persistence, restarted).
	if err := insp.DeleteQueue(name, true); err != nil {
		t.Fatal(err)
	}
	n, err := q.Sweep(context.Background(), 0)
	if err != nil || n != 1 {
		t.Fatalf("sweep re-enqueued %d (%v), want 1", n, err)
	}
	// A second sweep finds it queued and leaves it alone.
	if n, _ := q.Sweep(context.Background(), 0); n != 0 {
		t.Errorf("second sweep re-enqueued %d", n)
	}
	// And a worker runs it.
	r := q.NewRunner(1)
	r.Register("noop", func(context.Context, jobs.Job, *jobs.Progress) (any, error) { return nil, nil })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	wait(t, q, id, jobs.StatusSucceeded)
}

func TestStagedJobRollsBackWithItsTransaction(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	boom := errors.New("the work failed")
	err := db.Transact(ctx, pool, func(tx pgx.Tx) error {
		if _, err := jobs.Stage(ctx, tx, jobs.New{Kind: "noop"}, time.Now()); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM jobs`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d jobs staged by a rolled-back transaction", n)
	}
}
