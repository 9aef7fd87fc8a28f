package jobs_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"indicia/accounts"
	"indicia/db/dbtest"
	"indicia/jobs"
)

// crashQueue is a queue whose retries outlast its crash limit, so a job dies
// of its crashes, not of its retries.
func crashQueue(t *testing.T, maxCrashes int) (*jobs.Queue, *jobs.Runner, func()) {
	t.Helper()
	pool := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	name := strings.TrimSuffix(strings.ReplaceAll(prefix, ":", "-"), "-") + "crash"
	q := jobs.NewQueue(pool, rdb, jobs.Options{Name: name, MaxRetry: 10, MaxCrashes: maxCrashes,
		RetryDelay: func(int) time.Duration { return 20 * time.Millisecond }, CheckInterval: 50 * time.Millisecond})
	t.Cleanup(func() {
		asynq.NewInspectorFromRedisClient(rdb).DeleteQueue(name, true)
		q.Close()
	})
	r := q.NewRunner(2)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	start := func() {
		go func() { r.Run(ctx); close(done) }()
		t.Cleanup(func() { cancel(); <-done })
	}
	return q, r, start
}

func TestPanickingJobIsDeadAfterMaxCrashesWhileScheduledWorkKeepsRunning(t *testing.T) {
	q, r, start := crashQueue(t, 3)
	var poisonRuns, healthyRuns atomic.Int32
	r.Register("poison", func(ctx context.Context, j jobs.Job, p *jobs.Progress) (any, error) {
		poisonRuns.Add(1)
		var rows []string
		return rows[j.ID], nil // index out of range: a runtime panic, like a parser's bug
	})
	r.Register("healthy", func(context.Context, jobs.Job, *jobs.Progress) (any, error) {
		healthyRuns.Add(1)
		return "ok", nil
	})
	start()

	// The scheduled reconciler runs on its own clock beside a sibling that always panics.
	var reconciles atomic.Int32
	sctx, scancel := context.WithCancel(context.Background())
	sdone := make(chan struct{})
	go func() {
		jobs.RunScheduled(sctx, []jobs.Every{
			{Name: "reconciler", Interval: 20 * time.Millisecond, Run: func(context.Context) error { reconciles.Add(1); return nil }},
			{Name: "sick", Interval: 500 * time.Millisecond, Run: func(context.Context) error { panic("sick scheduled step") }},
		})
		close(sdone)
	}()
	defer func() { scancel(); <-sdone }()

	poison, err := q.Submit(context.Background(), jobs.New{Kind: "poison"})
	if err != nil {
		t.Fatal(err)
	}
	j := wait(t, q, poison, jobs.StatusDead)
	if got := poisonRuns.Load(); got != 3 {
		t.Errorf("poison job ran %d times, want 3", got)
	}
	if j.Crashes != 3 || !strings.HasPrefix(j.LastError, "crashed 3 times") || !strings.Contains(j.LastError, "panic") {
		t.Errorf("dead job: crashes %d, reason %q", j.Crashes, j.LastError)
	}
	dead, err := q.Dead(context.Background(), accounts.User{Role: accounts.RoleAdmin}, 10)
	if err != nil || len(dead) != 1 || dead[0].ID != poison {
		t.Fatalf("dead letters %v, %v", dead, err)
	}
	// The queue still works, and the reconciler keeps ticking.
	ok, err := q.Submit(context.Background(), jobs.New{Kind: "healthy"})
	if err != nil {
		t.Fatal(err)
	}
	wait(t, q, ok, jobs.StatusSucceeded)
	before := reconciles.Load()
	deadline := time.Now().Add(5 * time.Second)
	for reconciles.Load() < before+3 {
		if time.Now().After(deadline) {
			t.Fatalf("reconciler stopped at %d runs", reconciles.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A worker killed mid-job leaves its job "running"; the next pickup counts
// that attempt as a crash, and the last allowed one buries the job unrun.
func TestJobLeftRunningByADeadWorkerIsCountedAndBuried(t *testing.T) {
	q, r, start := crashQueue(t, 2)
	var runs atomic.Int32
	release := make(chan struct{})
	r.Register("hang", func(ctx context.Context, j jobs.Job, p *jobs.Progress) (any, error) {
		runs.Add(1)
		<-release
		return nil, nil
	})
	// What a killed worker leaves: an attempt started, never finished.
	id, err := q.Submit(context.Background(), jobs.New{Kind: "hang"})
	if err != nil {
		t.Fatal(err)
	}
	if err := jobs.MarkRunningForTest(context.Background(), q, id, 1); err != nil {
		t.Fatal(err)
	}
	start()
	j := wait(t, q, id, jobs.StatusDead)
	close(release)
	if runs.Load() != 0 {
		t.Errorf("a job past its crash limit ran %d times", runs.Load())
	}
	if j.Crashes != 2 || j.LastError != "crashed 2 times (last: the worker stopped while running it)" {
		t.Errorf("dead job: crashes %d, reason %q", j.Crashes, j.LastError)
	}
	// An admin's retry starts the count again.
	if err := q.Retry(context.Background(), accounts.User{Role: accounts.RoleAdmin}, id); err != nil {
		t.Fatal(err)
	}
	j = wait(t, q, id, jobs.StatusSucceeded)
	if j.Crashes != 0 {
		t.Errorf("retried job keeps %d crashes", j.Crashes)
	}
}

func TestTemporaryFilesAreRemovedAfterEveryJobAndAtStart(t *testing.T) {
	q, r, start := crashQueue(t, 3)
	dir := t.TempDir()
	leftover := filepath.Join(dir, "excelize-from-a-dead-worker")
	if err := os.WriteFile(leftover, []byte("900 MB, once"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	os.Chtimes(leftover, old, old)
	r.SetTempDir(dir)
	var spilled atomic.Value
	r.Register("spill", func(ctx context.Context, j jobs.Job, p *jobs.Progress) (any, error) {
		f, err := os.CreateTemp(dir, "excelize-")
		if err != nil {
			return nil, err
		}
		f.WriteString("worksheet")
		f.Close()
		spilled.Store(f.Name())
		return nil, nil
	})
	start()
	id, err := q.Submit(context.Background(), jobs.New{Kind: "spill"})
	if err != nil {
		t.Fatal(err)
	}
	wait(t, q, id, jobs.StatusSucceeded)
	if _, err := os.Stat(leftover); !os.IsNotExist(err) {
		t.Errorf("a dead worker's temporary file survived the start: %v", err)
	}
	name, _ := spilled.Load().(string)
	if name == "" {
		t.Fatal("the job did not run")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := os.Stat(name); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the job's temporary file %s is still there", name)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
