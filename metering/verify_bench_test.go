package metering_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"indicia/accounts"
	"indicia/metering"
	"indicia/metering/meteringtest"
)

// BenchmarkVerifyParallel is many scanners at once, each presenting labels
// in turn: the first pass over the labels is their first (valid) scans, later
// passes rescans of the same pieces (still valid). It reports valid scans a
// second across all scanners.
func BenchmarkVerifyParallel(b *testing.B) {
	bx := meteringtest.Start(b)
	svc, owner, m := setupBench(b, bx)
	const n = 400
	ctx := context.Background()
	if _, err := svc.Credit(ctx, accounts.System, m.ID, n*78, metering.CreditAdmin, ""); err != nil {
		b.Fatal(err)
	}
	pieces := make([]metering.PieceRequest, n)
	for i := range pieces {
		pieces[i] = piece(78)
	}
	p, err := svc.Purchase(ctx, owner, metering.PurchaseRequest{Pieces: pieces})
	if err != nil {
		b.Fatal(err)
	}
	texts := make([]string, len(p.Labels))
	for i, l := range p.Labels {
		texts[i] = textOf(b, l)
	}
	var next atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(next.Add(1)-1) % len(texts)
			req := metering.VerifyRequest{Text: texts[i], PieceRef: fmt.Sprintf("P%d", i), Location: "06901"}
			if v, err := svc.Verify(ctx, staff, req); err != nil || v.Result != metering.ResultValid {
				b.Fatal(v.Result, v.Reason, err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "scans/s")
}
