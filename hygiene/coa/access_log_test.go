package coa_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"indicia/hygiene/address"
)

// Concurrent purchase-time look-ups share commits of the access log, yet
// each finds its own row written by the time it answers, and a moved
// recipient is still found.
func TestCOALookupLogsEveryConcurrentAccess(t *testing.T) {
	e := newCOAEnv(t, 0)
	ctx := context.Background()
	e.load("individual,Maggie,,Stone,,120 Main St,,,,06901,3 River Rd,,,,06902,2026-10,,")
	c, _ := address.New()
	res := c.Cleanse("120 Main Street\nStamford CT 06901")
	count := func() int {
		var n int
		if err := e.pool.QueryRow(ctx, `SELECT count(*) FROM coa_access_log WHERE action = 'lookup' AND account_id = $1 AND subject = $2`,
			e.owner.AccountID, res.Key()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	const n = 40
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for range n {
		wg.Go(func() {
			mv, err := e.coa.Lookup(ctx, e.owner.AccountID, res, "Margaret Stone")
			if err != nil || mv == nil || mv.New.Line1 != "3 RIVER RD" {
				errs <- fmt.Sprintf("lookup: %+v %v", mv, err)
				return
			}
			// This caller's row is committed: a new connection sees at least as many rows as callers answered so far.
			if got := count() - before; got < 1 {
				errs <- "no access row after an answered look-up"
			}
		})
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
	if got := count() - before; got != n {
		t.Errorf("access rows = %d, want one per look-up (%d)", got, n)
	}
}
