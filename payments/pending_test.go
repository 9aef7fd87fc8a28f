package payments_test

import (
	"context"
	"strings"
	"testing"

	"indicia/apperr"
	"indicia/metering"
	"indicia/metering/meteringtest"
	"indicia/payments"
)

// With the box down, a trickle purchase charges the card but cannot
// dispense: it must say so (not "nothing was charged"), and the retry with
// the same key, once the box is back, returns the labels without a second charge.
func TestTricklePurchaseWithTheBoxDownSaysChargedAndRetryFinishesOnce(t *testing.T) {
	bx := meteringtest.StartProcess(t)
	e := setupOn(t, bx, 0, payments.Options{FeePerPiece: 5})
	e.card("pm_card_visa")
	e.trickle()
	ctx := context.Background()
	req := metering.PurchaseRequest{MeterID: e.meter.ID, Pieces: []metering.PieceRequest{piece(78)}, IdempotencyKey: "box-down-1"}

	bx.Kill()
	c, _, err := e.pay.BuyTrickle(ctx, e.owner, req)
	if err == nil {
		t.Fatal("bought with the box down")
	}
	id, ok := payments.ChargedPending(err)
	ae, _ := apperr.As(err)
	if !ok || id != c.PublicID || ae.Kind != apperr.KindUnavailable {
		t.Fatalf("box down: %v (charge %s), want charged_pending for it", err, c.PublicID)
	}
	if strings.Contains(strings.ToLower(ae.Message), "nothing was charged") || !strings.Contains(ae.Message, "Your card was charged $0.83") {
		t.Errorf("message %q", ae.Message)
	}
	if e.stub.SucceededCharges() != 1 || e.labels() != 0 {
		t.Fatalf("%d Stripe charges, %d labels; want the charge and no label", e.stub.SucceededCharges(), e.labels())
	}
	got, err := e.pay.ChargeByID(ctx, e.owner, id)
	if err != nil || got.Outcome() != payments.OutcomeChargedPending {
		t.Fatalf("charge %+v %v; want charged_pending", got.Outcome(), err)
	}
	// Still down: the retry says the same and charges nothing more.
	if _, _, err := e.pay.BuyTrickle(ctx, e.owner, req); err == nil {
		t.Fatal("retry bought with the box down")
	} else if rid, ok := payments.ChargedPending(err); !ok || rid != id {
		t.Errorf("retry with the box down: %v", err)
	}

	bx.Restart(t)
	_, p, err := e.pay.BuyTrickle(ctx, e.owner, req)
	if err != nil {
		t.Fatalf("retry with the box back: %v", err)
	}
	if !p.Replayed || len(p.Labels) != 1 || e.labels() != 1 || e.stub.SucceededCharges() != 1 {
		t.Fatalf("retry: replayed=%v, %d labels (%d in all), %d Stripe charges; want the one label and one charge",
			p.Replayed, len(p.Labels), e.labels(), e.stub.SucceededCharges())
	}
	if got, _ := e.pay.ChargeByID(ctx, e.owner, id); got.Outcome() != payments.OutcomeCompleted || got.PurchasePublicID != p.PublicID {
		t.Errorf("charge after the retry: %s, purchase %s", got.Outcome(), got.PurchasePublicID)
	}
	// A third try is a replay too.
	if _, p2, err := e.pay.BuyTrickle(ctx, e.owner, req); err != nil || p2.PublicID != p.PublicID || e.stub.SucceededCharges() != 1 {
		t.Errorf("replay: %v %s", err, p2.PublicID)
	}
	e.books()
}
