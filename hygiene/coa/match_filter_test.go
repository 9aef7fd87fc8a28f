package coa_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"indicia/hygiene/address"
	"indicia/hygiene/addressbook"
	"indicia/hygiene/coa"
)

// seedMoves puts n entries in the owner's book and loads a list moving
// them: even ones to a new address in June, odd ones moved-left-no-address
// in August (family moves).
func seedMoves(e *coaEnv, n int) {
	e.t.Helper()
	var rows []string
	for i := range n {
		line := fmt.Sprintf("%d Maple St", 100+i)
		if _, err := e.book.Create(context.Background(), e.owner, addressbook.EntryInput{Name: fmt.Sprintf("Robert Oak%c", 'a'+rune(i)),
			ExternalID: fmt.Sprintf("CUST-%d", i), Reference: "policy " + fmt.Sprint(i),
			Fields: address.Fields{Line1: line, ZIP: "06901"}, Decision: addressbook.DecisionSuggested}); err != nil {
			e.t.Fatal(err)
		}
		if i%2 == 0 {
			rows = append(rows, fmt.Sprintf("individual,Robert,,Oak%c,,%s,,,,06901,%d Birch Rd,,,,06902,2026-06-15,,", 'a'+rune(i), line, i))
		} else {
			rows = append(rows, fmt.Sprintf("family,,,Oak%c,,%s,,,,06901,,,,,,2026-08-15,yes,", 'a'+rune(i), line))
		}
	}
	e.load(rows...)
}

func TestCOAMatchFilterAndKeyset(t *testing.T) {
	e := newCOAEnv(t, 0)
	seedMoves(e, 7)
	ctx := context.Background()
	all, err := e.coa.FindMatches(ctx, e.owner, coa.MatchFilter{}, 0, 0, 100)
	if err != nil || all.Total != 7 || len(all.Matches) != 7 || all.After != 0 {
		t.Fatalf("all: %+v %v", all, err)
	}
	for _, m := range all.Matches {
		if m.ExternalID == "" || m.Reference == "" {
			t.Errorf("match %d lacks the mailer's ids: %+v", m.ID, m)
		}
	}
	// Keyset pages of 3 cover every match once, in order.
	var seen []int64
	var after int64
	for range 5 {
		p, err := e.coa.FindMatches(ctx, e.owner, coa.MatchFilter{}, after, 0, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range p.Matches {
			seen = append(seen, m.ID)
		}
		if p.After == 0 {
			break
		}
		after = p.After
	}
	if len(seen) != 7 {
		t.Fatalf("pages saw %v", seen)
	}
	for i := range seen {
		if seen[i] != all.Matches[i].ID {
			t.Fatalf("pages %v, all %v", seen, all.Matches)
		}
	}
	for _, tc := range []struct {
		f    coa.MatchFilter
		want int
	}{
		{coa.MatchFilter{Code: coa.CodeNewAddress}, 4},
		{coa.MatchFilter{Code: coa.CodeMovedNoAddress}, 3},
		{coa.MatchFilter{MoveType: coa.MoveFamily}, 3},
		{coa.MatchFilter{MoveType: coa.MoveBusiness}, 0},
		{coa.MatchFilter{From: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)}, 3},
		{coa.MatchFilter{To: time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)}, 4},
		{coa.MatchFilter{Status: coa.MatchAccepted}, 0},
	} {
		p, err := e.coa.FindMatches(ctx, e.owner, tc.f, 0, 0, 100)
		if err != nil || p.Total != tc.want || len(p.Matches) != tc.want {
			t.Errorf("%+v: total %d rows %d (%v), want %d", tc.f, p.Total, len(p.Matches), err, tc.want)
		}
	}
	if _, err := e.coa.FindMatches(ctx, e.owner, coa.MatchFilter{Code: "moved"}, 0, 0, 10); err == nil {
		t.Error("unknown code accepted")
	}
	// Another account sees none of them.
	if p, err := e.coa.FindMatches(ctx, e.other, coa.MatchFilter{}, 0, 0, 100); err != nil || p.Total != 0 {
		t.Errorf("other account: %+v %v", p, err)
	}
}

func TestCOABulkDecide(t *testing.T) {
	e := newCOAEnv(t, 0)
	seedMoves(e, 6)
	ctx := context.Background()
	all, _ := e.coa.FindMatches(ctx, e.owner, coa.MatchFilter{}, 0, 0, 100)
	// Accepting everything: the moved-left-no-address ones are skipped with a reason.
	res, err := e.coa.DecideMany(ctx, e.owner, nil, &coa.MatchFilter{}, true)
	if err != nil || res.Decided != 3 || len(res.Skipped) != 3 {
		t.Fatalf("accept all: %+v %v", res, err)
	}
	for _, s := range res.Skipped {
		if s.Reason == "" {
			t.Errorf("skip without reason: %+v", s)
		}
	}
	// Dismissing by ids; an id of another account or already decided is skipped.
	var ids []int64
	for _, m := range all.Matches {
		ids = append(ids, m.ID)
	}
	res, err = e.coa.DecideMany(ctx, e.owner, ids, nil, false)
	if err != nil || res.Decided != 3 || len(res.Skipped) != 3 {
		t.Fatalf("dismiss ids: %+v %v", res, err)
	}
	if p, _ := e.coa.FindMatches(ctx, e.owner, coa.MatchFilter{}, 0, 0, 100); p.Total != 0 {
		t.Errorf("pending left: %d", p.Total)
	}
	if _, err := e.coa.DecideMany(ctx, e.other, ids, nil, true); err != nil {
		t.Errorf("other account: %v", err)
	}
}

// Two bulk accepts of the same matches at once move each entry once.
func TestCOABulkAcceptConcurrent(t *testing.T) {
	e := newCOAEnv(t, 0)
	seedMoves(e, 8)
	ctx := context.Background()
	var wg sync.WaitGroup
	results := make([]coa.BulkResult, 4)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := e.coa.DecideMany(ctx, e.owner, nil, &coa.MatchFilter{Code: coa.CodeNewAddress}, true)
			if err != nil {
				t.Error(err)
			}
			results[i] = r
		}()
	}
	wg.Wait()
	total := 0
	for _, r := range results {
		total += r.Decided
	}
	if total != 4 {
		t.Errorf("decided %d times in all, want 4: %+v", total, results)
	}
	var hist int
	if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM address_history WHERE source = 'coa'`).Scan(&hist); err != nil || hist != 4 {
		t.Errorf("history rows %d (%v), want 4", hist, err)
	}
}
