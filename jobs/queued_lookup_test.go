package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/db"
	"indicia/db/dbtest"
	"indicia/jobs"
)

func TestQueuedOfAndDropQueued(t *testing.T) {
	pool := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	acc, err := accounts.New(pool, rdb, accounts.Options{RedisPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, a, err := acc.SignUp(ctx, accounts.SignUpInput{Name: "Jo Owner", Company: "Jo Co", Email: "jo@example.com",
		Password: "long enough password", Address: accounts.Address{Line1: "1 Main St", City: "Stamford", State: "CT", ZIP: "06901"}})
	if err != nil {
		t.Fatal(err)
	}
	var first, second int64
	err = db.Transact(ctx, pool, func(tx pgx.Tx) error {
		if _, found, err := jobs.QueuedOf(ctx, tx, "lookup_test", a.ID); err != nil || found {
			t.Errorf("queued before staging: %v, %v", found, err)
		}
		if first, err = jobs.Stage(ctx, tx, jobs.New{Kind: "lookup_test", Payload: map[string]int{"n": 1}, AccountID: a.ID}, time.Now()); err != nil {
			return err
		}
		if second, err = jobs.Stage(ctx, tx, jobs.New{Kind: "lookup_test", Payload: map[string]int{"n": 2}, AccountID: a.ID}, time.Now()); err != nil {
			return err
		}
		id, found, err := jobs.QueuedOf(ctx, tx, "lookup_test", a.ID)
		if err != nil || !found || id != first {
			t.Errorf("queued job %d, %v, %v; want %d", id, found, err, first)
		}
		if err := jobs.DropQueued(ctx, tx, "lookup_test", `{"n":1}`); err != nil {
			return err
		}
		id, found, err = jobs.QueuedOf(ctx, tx, "lookup_test", a.ID)
		if err != nil || !found || id != second {
			t.Errorf("after dropping the first: %d, %v, %v; want %d", id, found, err, second)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
