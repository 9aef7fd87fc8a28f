package coa_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"indicia/accounts"
	"indicia/hygiene/coa"
)

// A user who accepted or dismissed a match can be deleted: the decision
// stays and only forgets who made it.
func TestCOADeciderForgottenWithUser(t *testing.T) {
	e := newCOAEnv(t, 0)
	ctx := context.Background()
	clerk, err := e.acc.CreateUser(ctx, accounts.System, accounts.CreateInput{Email: "clerk@example.com", Name: "Clerk", Role: string(accounts.RoleUser),
		Password: "correct horse battery", AccountID: e.owner.AccountID, Permissions: []string{string(accounts.PermBuyPostage)}})
	if err != nil {
		t.Fatal(err)
	}
	e.add(e.owner, "Jo March", "", "100 Main St", "06901")
	e.load("individual,Jo,,March,,100 Main St,,,,06901,7 Orchard St,,Concord,MA,01742,2026-09,,")
	m := e.matches(e.owner, "")["Jo March"]
	if _, err := e.coa.Dismiss(ctx, clerk, m.ID); err != nil {
		t.Fatal(err)
	}
	decider := func() (by *int64) {
		t.Helper()
		if err := e.pool.QueryRow(ctx, `SELECT decided_by FROM coa_match_deciders WHERE match_id = $1`, m.ID).Scan(&by); err != nil {
			t.Fatal(err)
		}
		return by
	}
	if by := decider(); by == nil || *by != clerk.ID {
		t.Fatalf("decided by %v, want the clerk %d", by, clerk.ID)
	}
	if err := e.acc.DeleteUser(ctx, e.owner, clerk.ID); err != nil {
		t.Fatal(err)
	}
	if by := decider(); by != nil {
		t.Errorf("decided by %d after the user was deleted", *by)
	}
	if got := e.matches(e.owner, coa.MatchDismissed); got["Jo March"].ID != m.ID {
		t.Errorf("dismissed matches after deleting the user: %+v", got)
	}
}

// A run cut off while it writes its matches leaves nothing behind: no
// matches, no working tables; the next run finds every match.
func TestCOAMatchCutOffLeavesNothing(t *testing.T) {
	e := newCOAEnv(t, 0)
	ctx := context.Background()
	e.add(e.owner, "Jo March", "", "100 Main St", "06901")
	e.add(e.owner, "Amy March", "", "101 Main St", "06901")
	path, err := coa.SaveUpload(t.TempDir(), strings.NewReader(coaHeader+
		"individual,Jo,,March,,100 Main St,,,,06901,7 Orchard St,,Concord,MA,01742,2026-09,,\n"+
		"individual,Amy,,March,,101 Main St,,,,06901,8 Orchard St,,Concord,MA,01742,2026-09,,\n"))
	if err != nil {
		t.Fatal(err)
	}
	l, _, err := e.coa.CreateList(ctx, e.staff, coa.COAListInput{Source: "USPS test", Filename: "list.csv", Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.coa.ImportList(ctx, l.ID, nil); err != nil {
		t.Fatal(err)
	}
	workingTables := func() int {
		t.Helper()
		var n int
		if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid
			WHERE n.nspname LIKE 'coa_run_%'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		var schemas int
		if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'coa_run_%'`).Scan(&schemas); err != nil {
			t.Fatal(err)
		}
		return n + schemas
	}
	// The client goes away once the matches are chosen, before they are
	// recorded: the server rolls the run back.
	cut, cancel := context.WithCancel(ctx)
	defer cancel()
	cutOff := false
	_, err = e.coa.RunMatchJob(cut, []byte(`{"lists":[`+strconv.FormatInt(l.ID, 10)+`]}`), func(msg string) {
		if msg == "recording matches" {
			cutOff = true
			cancel()
		}
	})
	if err == nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("cut-off run: %v", err)
	}
	if !cutOff {
		t.Fatal("the run was not cut off while recording")
	}
	if n := workingTables(); n != 0 {
		t.Errorf("%d working schemas and tables left by the cut-off run", n)
	}
	var matches int
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM coa_matches`).Scan(&matches); err != nil {
		t.Fatal(err)
	}
	if matches != 0 {
		t.Errorf("%d matches written by the cut-off run", matches)
	}
	sum, err := e.coa.MatchLists(ctx, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sum.NewMatches != 2 || len(e.matches(e.owner, "")) != 2 {
		t.Errorf("run after the cut-off one: %+v, pending %v", sum, e.matches(e.owner, ""))
	}
	if n := workingTables(); n != 0 {
		t.Errorf("%d working schemas and tables left by a finished run", n)
	}
}
