package metering_test

import (
	"context"
	"testing"

	"indicia/metering"
	"indicia/metering/meteringtest"
)

// BenchmarkDispense10000 is one 10,000-label batch: one box call (20,000
// signatures), the record, 10,000 transaction records, the purchase and
// 10,000 indicia stored and committed (target ≤ 3 s).
func BenchmarkDispense10000(b *testing.B) {
	bx := meteringtest.Start(b)
	svc, owner, m := setupB(b, bx)
	pieces := make([]metering.PieceRequest, metering.MaxPieces)
	for i := range pieces {
		pieces[i] = piece(78)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, err := svc.Purchase(context.Background(), owner, metering.PurchaseRequest{MeterID: m.ID, Pieces: pieces})
		if err != nil || len(p.Labels) != len(pieces) {
			b.Fatalf("batch: %v", err)
		}
	}
	b.ReportMetric(float64(len(pieces)*b.N)/b.Elapsed().Seconds(), "labels/s")
}
