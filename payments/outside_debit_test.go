package payments_test

import (
	"context"
	"strconv"
	"sync"
	"testing"

	"indicia/accounts"
	"indicia/metering"
	"indicia/metering/meteringtest"
	"indicia/payments"
	"indicia/payments/stripestub"
)

// outsideRefund tops the meter up by $20.00, spends spent cents of it and
// refunds amount in Stripe's dashboard; it returns the signed webhook.
func (e *env) outsideRefund(spent, amount int64) (payload []byte, sig string) {
	e.t.Helper()
	ctx := context.Background()
	c, err := e.pay.TopUp(ctx, e.owner, e.meter.ID, 20_00, "")
	if err != nil {
		e.t.Fatal(err)
	}
	for spent > 0 {
		p := min(spent, 10_00)
		if _, err := e.met.Purchase(ctx, e.owner, metering.PurchaseRequest{MeterID: e.meter.ID, Pieces: []metering.PieceRequest{piece(p)}}); err != nil {
			e.t.Fatal(err)
		}
		spent -= p
	}
	if _, err := e.stub.RefundOutside(c.PaymentIntentID, amount); err != nil {
		e.t.Fatal(err)
	}
	payload, sig = stripestub.Sign(e.stub.Events[len(e.stub.Events)-1], webhookSecret)
	return payload, sig
}

func (e *env) owes() int64 {
	e.t.Helper()
	return -e.balance("customer:" + strconv.FormatInt(e.owner.AccountID, 10))
}

// A meter that spent most of the refunded money gives back what it holds;
// the rest stays owed on the customer's ledger account.
func TestOutsideRefundTakesWhatTheMeterHoldsAndTheRestIsOwed(t *testing.T) {
	t.Parallel()
	e := setup(t, 0, payments.Options{})
	e.card("pm_card_visa")
	payload, sig := e.outsideRefund(15_00, 20_00)
	if _, err := e.pay.HandleWebhook(context.Background(), payload, sig); err != nil {
		t.Fatal(err)
	}
	if dr, owes := e.dr(), e.owes(); dr != 0 || owes != 15_00 {
		t.Errorf("after a $20.00 outside refund on a meter holding $5.00: the meter holds %d, the customer owes %d; want 0 and 1500", dr, owes)
	}
	var debited int64
	e.pool.QueryRow(context.Background(), `SELECT meter_debited FROM refunds WHERE reason = 'outside_refund'`).Scan(&debited)
	if debited != 5_00 {
		t.Errorf("the refund shows %d cents taken back from the meter, want 500", debited)
	}
	e.books()
}

// The same webhook delivered twice at once takes the money back once.
func TestOutsideRefundDeliveredTwiceAtOnceDebitsOnce(t *testing.T) {
	t.Parallel()
	e := setup(t, 0, payments.Options{})
	e.card("pm_card_visa")
	payload, sig := e.outsideRefund(0, 6_00)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if _, err := e.pay.HandleWebhook(context.Background(), payload, sig); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if dr, owes := e.dr(), e.owes(); dr != 14_00 || owes != 0 {
		t.Errorf("after one $6.00 outside refund delivered twice at once: the meter holds %d, the customer owes %d; want 1400 and 0", dr, owes)
	}
	e.books()
}

// The process dies (here: the box is down) after the refund is booked and
// before the meter gives it back. A redelivered event and the reconciler
// finish it once the box is back, and only once.
func TestOutsideRefundBookedBeforeACrashIsTakenBackLater(t *testing.T) {
	t.Parallel()
	bx := meteringtest.StartProcess(t)
	e := setupOn(t, bx, 0, payments.Options{})
	e.card("pm_card_visa")
	payload, sig := e.outsideRefund(0, 8_00)
	bx.Kill()
	if _, err := e.pay.HandleWebhook(context.Background(), payload, sig); err != nil {
		t.Fatalf("the booking with the box down: %v", err)
	}
	if owes := e.owes(); owes != 8_00 {
		t.Fatalf("booked with the box down: the customer owes %d, want 800", owes)
	}
	bx.Restart(t)
	// The redelivery finishes it; the reconciler after it finds nothing more.
	res, err := e.pay.HandleWebhook(context.Background(), payload, sig)
	if err != nil || !res.Duplicate {
		t.Fatalf("redelivery: %+v %v", res, err)
	}
	rec, err := e.pay.Reconcile(context.Background())
	if err != nil || rec.OutsideDebits != 0 {
		t.Errorf("reconciler after the redelivery: %+v %v, want nothing left to take back", rec, err)
	}
	if dr, owes := e.dr(), e.owes(); dr != 12_00 || owes != 0 {
		t.Errorf("after the box came back: the meter holds %d, the customer owes %d; want 1200 and 0", dr, owes)
	}
	if n, _ := e.met.OpenAlerts(context.Background()); n != 0 {
		t.Errorf("%d tamper alerts", n)
	}
	e.books()
}

// Without a redelivery the reconciler takes it back.
func TestReconcilerTakesBackAnOutsideRefundLeftByACrash(t *testing.T) {
	t.Parallel()
	bx := meteringtest.StartProcess(t)
	e := setupOn(t, bx, 0, payments.Options{})
	e.card("pm_card_visa")
	payload, sig := e.outsideRefund(0, 3_00)
	bx.Kill()
	if _, err := e.pay.HandleWebhook(context.Background(), payload, sig); err != nil {
		t.Fatal(err)
	}
	bx.Restart(t)
	rec, err := e.pay.Reconcile(context.Background())
	if err != nil || rec.OutsideDebits != 1 {
		t.Fatalf("reconciler: %+v %v, want one outside refund taken back", rec, err)
	}
	if dr, owes := e.dr(), e.owes(); dr != 17_00 || owes != 0 {
		t.Errorf("after the reconciler: the meter holds %d, the customer owes %d; want 1700 and 0", dr, owes)
	}
	m, _ := e.met.Meter(context.Background(), accounts.System, e.meter.ID)
	if m.Record.Status != "active" && m.Record.Status != "suspended" {
		t.Errorf("meter %s", m.Record.Status)
	}
	e.books()
}
