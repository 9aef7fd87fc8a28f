package coa

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// refreshBookKeys computes the name keys of the in-scope entries whose name
// or company changed since their keys were last computed, or that have
// none, in pages of entries so that memory stays bounded. Runs are
// serialized (see match), so the keys of a changed entry are deleted and
// every missing key is COPYed straight into coa_book_keys.
func (c *Service) refreshBookKeys(ctx context.Context, tx pgx.Tx) error {
	t0 := time.Now()
	if _, err := tx.Exec(ctx, `DELETE FROM coa_book_keys k USING coa_entries e
		WHERE k.entry_id = e.id AND (k.name_src <> e.name OR k.company_src <> e.company)`); err != nil {
		return fmt.Errorf("name keys: drop stale: %w", err)
	}
	tStale := time.Since(t0)
	type stale struct {
		id, account   int64
		name, company string
	}
	// One cursor over the entries without keys: it reads coa_book_keys once
	// (the hash is built at the first FETCH, before any COPY) and does not
	// see the keys COPYed between its pages. Nested loops are off while it is
	// planned: with coa_book_keys vacuumed while empty (statistics of 0 rows)
	// the planner picks a nested loop that scans the whole table for every
	// entry, and the COPYs below make each FETCH slower than the last (a
	// million entries did not finish in 12 minutes).
	if _, err := tx.Exec(ctx, `SET LOCAL enable_nestloop = off`); err != nil {
		return fmt.Errorf("name keys: %w", err)
	}
	if _, err := tx.Exec(ctx, `DECLARE coa_keyless NO SCROLL CURSOR FOR
		SELECT e.id, e.account_id, e.name, e.company FROM coa_entries e
		WHERE NOT EXISTS (SELECT 1 FROM coa_book_keys k WHERE k.entry_id = e.id)`); err != nil {
		return fmt.Errorf("name keys: %w", err)
	}
	if _, err := tx.Exec(ctx, `SET LOCAL enable_nestloop = on`); err != nil {
		return fmt.Errorf("name keys: %w", err)
	}
	var written int64
	const page = 50_000
	var tRead, tKeys, tCopy time.Duration
	for {
		t0 := time.Now()
		rows, err := tx.Query(ctx, "FETCH "+strconv.Itoa(page)+" FROM coa_keyless")
		if err != nil {
			return fmt.Errorf("name keys: %w", err)
		}
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (stale, error) {
			var s stale
			return s, r.Scan(&s.id, &s.account, &s.name, &s.company)
		})
		if err != nil {
			return fmt.Errorf("name keys: %w", err)
		}
		tRead += time.Since(t0)
		if len(list) == 0 {
			break
		}
		t0 = time.Now()
		out := make([][]any, len(list))
		// The keys of a page are computed on every core: a million names
		// take seconds on one.
		var wg sync.WaitGroup
		n := runtime.GOMAXPROCS(0)
		for w := range n {
			wg.Go(func() {
				for i := w; i < len(list); i += n {
					s := list[i]
					k := c.fullNameKeys(s.name, s.company)
					if k.First == nil {
						k.First = []string{}
					}
					out[i] = []any{s.id, s.account, s.name, s.company, k.First, k.Middle, k.Last, k.Firm}
				}
			})
		}
		wg.Wait()
		tKeys += time.Since(t0)
		t0 = time.Now()
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"coa_book_keys"},
			[]string{"entry_id", "account_id", "name_src", "company_src", "first_keys", "middle_key", "last_key", "firm_key"}, pgx.CopyFromRows(out)); err != nil {
			return fmt.Errorf("name keys: %w", err)
		}
		tCopy += time.Since(t0)
		written += int64(len(list))
		if len(list) < page {
			break
		}
	}
	if _, err := tx.Exec(ctx, `CLOSE coa_keyless`); err != nil {
		return fmt.Errorf("name keys: %w", err)
	}
	slog.Debug("coa: name keys", "written", written, "stale", tStale.Seconds(), "read", tRead.Seconds(), "compute", tKeys.Seconds(), "copy", tCopy.Seconds())
	if written == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `ANALYZE coa_book_keys`); err != nil {
		return fmt.Errorf("name keys: analyze: %w", err)
	}
	return nil
}
