package addressbook_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/apperr"
	"indicia/hygiene/address"
	"indicia/hygiene/addressbook"
)

func TestApplyMoveKeepsHistoryAndRefusesAStaleKey(t *testing.T) {
	e := newBookEnv(t)
	ctx := context.Background()
	ent, err := e.book.Create(ctx, e.owner, addressbook.EntryInput{Name: "Ann Lee", Fields: address.Fields{Line1: "350 5th Ave", City: "New York", State: "NY", ZIP: "10118"}})
	if err != nil {
		t.Fatal(err)
	}
	to := address.Fields{Line1: "1 Main St", City: "Stamford", State: "CT", ZIP: "06901"}
	move := func(key string) error {
		return pgx.BeginFunc(ctx, e.pool, func(tx pgx.Tx) error {
			return e.book.ApplyMove(ctx, tx, e.owner, ent.ID, key, to, "", "coa", time.Now())
		})
	}
	if err := move("not the entry's key"); apperr.KindOf(err) != apperr.KindConflict {
		t.Fatalf("stale key: err = %v, want a conflict", err)
	}
	if err := move(ent.MatchKey); err != nil {
		t.Fatal(err)
	}
	got, err := e.book.Get(ctx, e.owner, ent.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Fields.Line1 != "1 MAIN ST" && got.Fields.Line1 != "1 Main St" {
		t.Errorf("line1 = %q, want the new address", got.Fields.Line1)
	}
	if got.MatchKey == ent.MatchKey || got.MatchKey == "" {
		t.Errorf("match key = %q, want the new address's key", got.MatchKey)
	}
	hist, err := e.book.History(ctx, e.owner, ent.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 1 || hist[0].Source != "coa" || hist[0].Fields.ZIP != "10118" {
		t.Errorf("history = %+v, want the old address from coa", hist)
	}
}

func TestEntriesLeavesOutOtherAccounts(t *testing.T) {
	e := newBookEnv(t)
	ctx := context.Background()
	mine, err := e.book.Create(ctx, e.owner, addressbook.EntryInput{Name: "Mine", Fields: address.Fields{Line1: "350 5th Ave", ZIP: "10118"}})
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := e.book.Create(ctx, e.otherOwner, addressbook.EntryInput{Name: "Theirs", Fields: address.Fields{Line1: "350 5th Ave", ZIP: "10118"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.book.Entries(ctx, e.pool, e.owner.AccountID, []int64{mine.ID, theirs.ID, 999999})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[mine.ID].Name != "Mine" {
		t.Errorf("entries = %+v, want only the account's own", got)
	}
	if got, err := e.book.Entries(ctx, e.pool, e.owner.AccountID, nil); err != nil || len(got) != 0 {
		t.Errorf("no IDs: %v, %v", got, err)
	}
}
