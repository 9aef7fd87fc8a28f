package payments_test

import (
	"context"
	"testing"

	"indicia/metering"
	"indicia/payments"
)

// One-label purchases through payments.Buy: prepaid (box + PostgreSQL) and
// trickle (plus a committed stage, a Stripe call to the stand-in over HTTP,
// the charge record, a signed credit, then the dispense).
func BenchmarkBuyPrepaid(b *testing.B) { benchBuy(b, payments.ModePrepaid) }
func BenchmarkBuyTrickle(b *testing.B) { benchBuy(b, payments.ModeTrickle) }

func benchBuy(b *testing.B, mode string) {
	e := setupB(b, 10_000_000_00)
	ctx := context.Background()
	if _, err := e.pay.SaveCard(ctx, e.owner, "pm_card_visa"); err != nil {
		b.Fatal(err)
	}
	if err := e.pay.SetFunding(ctx, e.owner, payments.Funding{MeterID: e.meter.ID, Mode: mode}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.pay.Buy(ctx, e.owner, metering.PurchaseRequest{MeterID: e.meter.ID, Pieces: []metering.PieceRequest{piece(78)}}); err != nil {
			b.Fatal(err)
		}
	}
}

// A 1,000-piece dispense with and without the ledger trigger that posts
// meter → post office entries in the same transaction.
func BenchmarkDispense1000WithLedger(b *testing.B)    { benchDispense(b, true) }
func BenchmarkDispense1000WithoutLedger(b *testing.B) { benchDispense(b, false) }

func benchDispense(b *testing.B, ledger bool) {
	e := setupB(b, 10_000_000_00)
	ctx := context.Background()
	if !ledger {
		if _, err := e.pool.Exec(ctx, `ALTER TABLE indicia DISABLE TRIGGER ledger_dispense`); err != nil {
			b.Fatal(err)
		}
	}
	pieces := make([]metering.PieceRequest, 1000)
	for i := range pieces {
		pieces[i] = piece(78)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.met.Purchase(ctx, e.owner, metering.PurchaseRequest{MeterID: e.meter.ID, Pieces: pieces}); err != nil {
			b.Fatal(err)
		}
	}
}
