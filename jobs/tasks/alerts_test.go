package tasks

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"indicia/db/dbtest"
	"indicia/jobs"
	"indicia/metering"
	"indicia/metering/box"
)

// fakeBox answers, or not, as the test says; it stands for the box behind
// both checks.
type fakeBox struct{ down atomic.Bool }

func (b *fakeBox) BoxAnswers(context.Context) error {
	if b.down.Load() {
		return errors.New("connection refused")
	}
	return nil
}

func (b *fakeBox) RotateRecordKey(context.Context, time.Time) (box.KeyVersions, bool, error) {
	if b.down.Load() {
		return box.KeyVersions{}, false, errors.New("the box refused the new version")
	}
	return box.KeyVersions{Current: "2026-12"}, false, nil
}

// alertJobs counts the alert emails queued, by subject.
func alertJobs(t *testing.T, pool *pgxpool.Pool) map[string]int {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT payload->>'subject', enqueued_at IS NOT NULL FROM jobs WHERE kind = $1`, JobKindAdminAlert)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var subject string
		var queued bool
		if err := rows.Scan(&subject, &queued); err != nil {
			t.Fatal(err)
		}
		if !queued {
			t.Errorf("alert %q stored but not queued", subject)
		}
		out[subject]++
	}
	return out
}

// Two workers watch the same box; they restart in the middle of an
// incident. Each incident (the box stops answering, it answers again, the
// key rotation fails) is emailed exactly once.
func TestAlertsOncePerIncidentAcrossWorkersAndRestarts(t *testing.T) {
	pool := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	q := jobs.NewQueue(pool, rdb, jobs.Options{Name: prefix})
	t.Cleanup(func() { _ = q.Close() })
	st := metering.New(pool, nil, metering.Options{})
	b := &fakeBox{}
	ctx := context.Background()

	// workers starts two fresh workers' watchers (a restart forgets
	// everything a process held) and runs each check of both at once,
	// rounds times.
	workers := func(rounds int) {
		t.Helper()
		var ws []jobs.Every
		for range 2 {
			ws = append(ws, boxWatch(b, st, q), keyRotation(b, st, q))
		}
		for range rounds {
			var wg sync.WaitGroup
			for _, w := range ws {
				wg.Add(1)
				go func() {
					defer wg.Done()
					err := w.Run(ctx)
					if (err != nil) != b.down.Load() || (err != nil && strings.Contains(err.Error(), "record")) {
						t.Errorf("%s: %v", w.Name, err)
					}
				}()
			}
			wg.Wait()
		}
	}
	const (
		down    = "Indicia alert: the secure box is not answering"
		back    = "Indicia: the secure box answers again"
		rotFail = "Indicia alert: the record-MAC key rotation failed"
	)
	expect := func(stage string, want map[string]int) {
		t.Helper()
		got := alertJobs(t, pool)
		for _, s := range []string{down, back, rotFail} {
			if got[s] != want[s] {
				t.Errorf("%s: %d emails %q, want %d", stage, got[s], s, want[s])
			}
		}
	}

	workers(2)
	expect("healthy", map[string]int{})
	b.down.Store(true)
	workers(3)
	expect("box down", map[string]int{down: 1, rotFail: 1})
	workers(2)
	expect("box still down after a restart", map[string]int{down: 1, rotFail: 1})
	b.down.Store(false)
	workers(3)
	expect("box back", map[string]int{down: 1, back: 1, rotFail: 1})
	b.down.Store(true)
	workers(1)
	expect("second incident", map[string]int{down: 2, back: 1, rotFail: 2})
}
