package coa_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/hygiene/address"
)

// BenchmarkCOAMatchLists20k matches a 20,000-record list against 20,000
// address-book entries (every entry has one move): the set-based join that
// loadtest/coa_bench.sh runs at 1,000,000 × 1,000,000.
func BenchmarkCOAMatchLists20k(b *testing.B) {
	const n = 20_000
	e := newCOAEnv(b, 0)
	ctx := context.Background()
	c, err := address.New()
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	i := 0
	_, err = e.pool.CopyFrom(ctx, pgx.Identifier{"address_book"}, []string{"account_id", "name", "line1", "zip", "status", "match_key", "created_at", "updated_at"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i >= n {
				return nil, nil
			}
			i++
			line1 := fmt.Sprintf("%d MAIN ST", i)
			return []any{e.owner.AccountID, fmt.Sprintf("Robert Person%d", i%500), line1, "06901", "valid", c.Cleanse(line1 + "\n06901").Key(), now, now}, nil
		}))
	if err != nil {
		b.Fatal(err)
	}
	var sb strings.Builder
	sb.WriteString(coaHeader)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&sb, "individual,Bob,,Person%d,,%d Main St,,,,06901,%d Oak Ave,,,,06902,2026-06,,\n", i%500, i, i)
	}
	l, sum := e.loadFile(sb.String(), "bench.csv", 0)
	if sum.Loaded != n {
		b.Fatalf("loaded %+v", sum)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.coa.MatchLists(ctx, l.ID); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}
