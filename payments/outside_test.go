package payments_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/metering"
	"indicia/payments"
	"indicia/payments/stripestub"
)

// A trickle purchase under Stripe's 50¢ minimum is refused before any charge,
// with its own reason, never as a card decline.
func TestTrickleBelowTheCardMinimumIsRefusedBeforeCharging(t *testing.T) {
	t.Parallel()
	e := setup(t, 0, payments.Options{FeePerPiece: 5})
	e.card("pm_card_visa")
	e.trickle()
	ctx := context.Background()
	_, _, err := e.pay.BuyTrickle(ctx, e.owner, metering.PurchaseRequest{MeterID: e.meter.ID, Pieces: []metering.PieceRequest{piece(30)}, IdempotencyKey: "tiny"})
	ae, ok := apperr.As(err)
	if !ok || ae.Code != "below_card_minimum" || ae.Field != "postage" || !strings.Contains(ae.Message, "$0.50") || strings.Contains(strings.ToLower(ae.Message), "declined") {
		t.Fatalf("a 35¢ trickle purchase: %v, want below_card_minimum on postage naming $0.50", err)
	}
	if apperr.KindOf(err) == apperr.KindPayment {
		t.Error("the refusal is a payment error (read as a decline)")
	}
	if n := len(e.stub.Events); n != 0 || e.stub.SucceededCharges() != 0 {
		t.Errorf("Stripe saw %d events, %d charges; want none", n, e.stub.SucceededCharges())
	}
	var charges int
	e.pool.QueryRow(ctx, `SELECT count(*) FROM charges`).Scan(&charges)
	if charges != 0 || e.labels() != 0 {
		t.Errorf("%d charges and %d labels stored; want none", charges, e.labels())
	}
	// 50¢ and up is charged as before.
	if _, _, err := e.pay.BuyTrickle(ctx, e.owner, metering.PurchaseRequest{MeterID: e.meter.ID, Pieces: []metering.PieceRequest{piece(45)}, IdempotencyKey: "fifty"}); err != nil {
		t.Fatalf("a 50¢ trickle purchase: %v", err)
	}
}

// A refund made in Stripe's dashboard comes back as charge.refunded: it is
// booked once (ledger, charge, refunds), the customer owes it, the meter is
// suspended and the admin alerted. Our own void refund is not booked twice.
func TestRefundOutsideIndiciaIsReconciled(t *testing.T) {
	t.Parallel()
	e := setup(t, 0, payments.Options{})
	e.card("pm_card_visa")
	ctx := context.Background()
	c, err := e.pay.TopUp(ctx, e.owner, e.meter.ID, 20_00, "")
	if err != nil {
		t.Fatal(err)
	}
	// Our own refund first (made through payments' Stripe client, marked as ours).
	st := payments.NewStripe(payments.StripeConfig{SecretKey: "sk_test_stub", APIURL: e.url})
	if _, err := st.Refund(ctx, c.PaymentIntentID, 1_00, "indicia-test-own"); err != nil {
		t.Fatal(err)
	}
	deliver := func() payments.WebhookResult {
		t.Helper()
		ev := e.stub.Events[len(e.stub.Events)-1]
		payload, sig := stripestub.Sign(ev, webhookSecret)
		res, err := e.pay.HandleWebhook(ctx, payload, sig)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	deliver()
	if m, _ := e.met.Meter(ctx, accounts.System, e.meter.ID); m.Record.Status != "active" {
		t.Fatalf("our own refund suspended the meter (%s)", m.Record.Status)
	}
	// Then one in the dashboard.
	if _, err := e.stub.RefundOutside(c.PaymentIntentID, 7_00); err != nil {
		t.Fatal(err)
	}
	res := deliver()
	if res.Type != "charge.refunded" {
		t.Fatalf("event %s", res.Type)
	}
	// The meter held the $7.00, so it gives it back and nothing stays owed.
	if got := e.balance("customer:" + strconv.FormatInt(e.owner.AccountID, 10)); got != 0 {
		t.Errorf("the customer's ledger account holds %d cents, want 0 (the meter gave the refund back)", got)
	}
	if dr := e.dr(); dr != 13_00 {
		t.Errorf("the meter holds %d cents after a $7.00 outside refund of a $20.00 top-up, want 1300", dr)
	}
	var refunded int64
	e.pool.QueryRow(ctx, `SELECT refunded FROM charges WHERE payment_intent_id = $1`, c.PaymentIntentID).Scan(&refunded)
	if refunded != 7_00 {
		t.Errorf("the charge shows %d cents refunded, want 700", refunded)
	}
	m, _ := e.met.Meter(ctx, accounts.System, e.meter.ID)
	if m.Record.Status != "suspended" || m.Record.SuspendReason != "credit_abuse" {
		t.Errorf("meter %s (%s), want suspended for credit abuse", m.Record.Status, m.Record.SuspendReason)
	}
	alerts, _ := e.pay.Alerts(ctx, accounts.System, 10)
	if len(alerts) != 1 || alerts[0].Kind != "outside_refund" || !strings.Contains(alerts[0].Detail, "$7.00") {
		t.Errorf("alerts %+v, want one outside_refund naming $7.00", alerts)
	}
	// A second dashboard refund event (Stripe redelivers, or another refund
	// event lists the same refund) books nothing more.
	ev := e.stub.Events[len(e.stub.Events)-1]
	ev["id"] = "evt_again"
	payload, sig := stripestub.Sign(ev, webhookSecret)
	if _, err := e.pay.HandleWebhook(ctx, payload, sig); err != nil {
		t.Fatal(err)
	}
	if got, dr := e.balance("customer:"+strconv.FormatInt(e.owner.AccountID, 10)), e.dr(); got != 0 || dr != 13_00 {
		t.Errorf("after a second event the customer holds %d cents and the meter %d, want 0 and 1300 (taken once)", got, dr)
	}
	e.books()
}

// A dispute withdraws the disputed amount: booked like an outside refund.
func TestDisputeIsBookedInTheLedger(t *testing.T) {
	t.Parallel()
	e := setup(t, 0, payments.Options{})
	e.card("pm_card_visa")
	ctx := context.Background()
	c, err := e.pay.TopUp(ctx, e.owner, e.meter.ID, 20_00, "")
	if err != nil {
		t.Fatal(err)
	}
	dv, err := e.stub.Dispute(c.PaymentIntentID)
	if err != nil {
		t.Fatal(err)
	}
	payload, sig := stripestub.Sign(dv, webhookSecret)
	if _, err := e.pay.HandleWebhook(ctx, payload, sig); err != nil {
		t.Fatal(err)
	}
	if got, dr := e.balance("customer:"+strconv.FormatInt(e.owner.AccountID, 10)), e.dr(); got != 0 || dr != 0 {
		t.Errorf("after a dispute of the whole top-up the customer holds %d cents and the meter %d, want 0 and 0", got, dr)
	}
	e.books()
}
