package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/db/dbtest"
	"indicia/jobs"
)

func TestQueuedForAndDropQueued(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	var staged int64
	tx := func(fn func(tx pgx.Tx) error) {
		t.Helper()
		if err := pgx.BeginFunc(ctx, pool, fn); err != nil {
			t.Fatal(err)
		}
	}
	tx(func(tx pgx.Tx) error {
		if _, ok, err := jobs.QueuedFor(ctx, tx, "demo", 0); err != nil || ok {
			t.Errorf("empty queue: ok %v, err %v", ok, err)
		}
		var err error
		staged, err = jobs.Stage(ctx, tx, jobs.New{Kind: "demo", Payload: map[string]any{"lists": []int{7}}}, time.Now())
		return err
	})
	tx(func(tx pgx.Tx) error {
		if err := jobs.DropQueued(ctx, tx, "demo", `{"lists":[8]}`); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM jobs WHERE id = $1`, staged).Scan(&n); err != nil || n != 1 {
			t.Errorf("another payload's drop removed the job: n %d, err %v", n, err)
		}
		return jobs.DropQueued(ctx, tx, "demo", `{"lists": [7]}`)
	})
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM jobs WHERE id = $1`, staged).Scan(&n); err != nil || n != 0 {
		t.Errorf("after DropQueued: n %d, err %v", n, err)
	}
}
