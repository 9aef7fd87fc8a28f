package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/apperr"
	"indicia/db"
	"indicia/db/dbtest"
)

func TestResolveOnce(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.New(t)
	// A temporary table lives in one session, so the whole test runs in one
	// transaction, which is also a Querier.
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE notes (id bigint PRIMARY KEY, resolved_at timestamptz,
			resolved_by bigint, resolution text NOT NULL DEFAULT '')`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO notes (id) VALUES (1), (2)`); err != nil {
			return err
		}
		r := db.Resolvable{Table: "notes", NotFound: "No such note.", Resolved: "Already resolved."}
		at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		if err := r.Resolve(ctx, tx, 1, at, 7, "checked"); err != nil {
			t.Fatalf("first resolve: %v", err)
		}
		err := r.Resolve(ctx, tx, 1, at.Add(time.Hour), 8, "again")
		if e, ok := apperr.As(err); !ok || e.Kind != apperr.KindConflict || e.Message != "Already resolved." {
			t.Fatalf("second resolve: %v", err)
		}
		err = r.Resolve(ctx, tx, 3, at, 7, "x")
		if e, ok := apperr.As(err); !ok || e.Kind != apperr.KindNotFound || e.Message != "No such note." {
			t.Fatalf("missing row: %v", err)
		}
		if err := r.Resolve(ctx, tx, 2, at, 0, "by the system"); err != nil {
			t.Fatalf("resolve without a user: %v", err)
		}
		var by1, by2 *int64
		var note string
		var got time.Time
		if err := tx.QueryRow(ctx, `SELECT resolved_by, resolution, resolved_at FROM notes WHERE id = 1`).Scan(&by1, &note, &got); err != nil {
			return err
		}
		if by1 == nil || *by1 != 7 || note != "checked" || !got.Equal(at) {
			t.Fatalf("row 1 after a conflicting resolve: by %v, %q at %v", by1, note, got)
		}
		if err := tx.QueryRow(ctx, `SELECT resolved_by FROM notes WHERE id = 2`).Scan(&by2); err != nil {
			return err
		}
		if by2 != nil {
			t.Fatalf("row 2 resolved by %d, want NULL", *by2)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
