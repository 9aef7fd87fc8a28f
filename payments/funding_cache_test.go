package payments_test

import (
	"context"
	"testing"
	"time"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/metering"
	"indicia/payments"
)

func buyOne(t *testing.T, pay *payments.Service, actor accounts.User) (metering.Purchase, error) {
	t.Helper()
	return pay.Buy(context.Background(), actor, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}})
}

// With the cache on, a mode switched on this process applies to the very
// next purchase, as without it.
func TestFundingCacheFollowsModeChangeAtOnce(t *testing.T) {
	t.Parallel()
	e := setup(t, 10_00, payments.Options{FundingCacheTTL: time.Hour})
	e.card("pm_card_visa")
	for range 2 { // the second purchase is served from the cache
		if _, err := buyOne(t, e.pay, e.owner); err != nil {
			t.Fatal(err)
		}
	}
	if e.stub.SucceededCharges() != 0 || e.dr() != 10_00-2*78 {
		t.Fatalf("prepaid purchases: %d charges, DR %d; want none and %d", e.stub.SucceededCharges(), e.dr(), 10_00-2*78)
	}
	e.trickle()
	if _, err := buyOne(t, e.pay, e.owner); err != nil {
		t.Fatal(err)
	}
	if e.stub.SucceededCharges() != 1 || e.dr() != 10_00-2*78 {
		t.Fatalf("after switching to trickle: %d charges, DR %d; want one charge and the balance untouched", e.stub.SucceededCharges(), e.dr())
	}
	e.books()
}

// A mode switched on another serve process reaches this one within the TTL.
func TestFundingCacheExpiresAfterTTL(t *testing.T) {
	t.Parallel()
	e := setup(t, 10_00, payments.Options{FundingCacheTTL: 2 * time.Second})
	e.card("pm_card_visa")
	other := payments.New(e.pool, nil, e.met, payments.Options{Now: func() time.Time { return e.now }})
	if _, err := buyOne(t, e.pay, e.owner); err != nil {
		t.Fatal(err)
	}
	if err := other.SetFunding(context.Background(), e.owner, payments.Funding{MeterID: e.meter.ID, Mode: payments.ModeTrickle}); err != nil {
		t.Fatal(err)
	}
	e.now = e.now.Add(3 * time.Second)
	if _, err := buyOne(t, e.pay, e.owner); err != nil {
		t.Fatal(err)
	}
	if e.stub.SucceededCharges() != 1 || e.dr() != 10_00-78 {
		t.Fatalf("after the TTL: %d charges, DR %d; want the trickle charge and the balance untouched", e.stub.SucceededCharges(), e.dr())
	}
	e.books()
}

// A cached default meter that was suspended since is not a dead end: the
// purchase goes to the account's next active meter, and with none left the
// mailer gets the same message as without the cache.
func TestFundingCacheSkipsMeterSuspendedSince(t *testing.T) {
	t.Parallel()
	e := setup(t, 10_00, payments.Options{FundingCacheTTL: time.Hour})
	ctx := context.Background()
	second, err := e.met.Provision(ctx, e.owner.AccountID, "06901")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.met.Credit(ctx, accounts.System, second.ID, 5_00, metering.CreditAdmin, ""); err != nil {
		t.Fatal(err)
	}
	p, err := buyOne(t, e.pay, e.owner)
	if err != nil {
		t.Fatal(err)
	}
	if p.MeterID != e.meter.ID {
		t.Fatalf("first purchase on meter %d; want the default meter %d", p.MeterID, e.meter.ID)
	}
	if _, err := e.met.Suspend(ctx, accounts.System, e.meter.ID, "inspection"); err != nil {
		t.Fatal(err)
	}
	if p, err = buyOne(t, e.pay, e.owner); err != nil {
		t.Fatalf("purchase after the default meter was suspended: %v", err)
	}
	if p.MeterID != second.ID {
		t.Fatalf("purchase on meter %d; want the next active meter %d", p.MeterID, second.ID)
	}
	if _, err := e.met.Suspend(ctx, accounts.System, second.ID, "inspection"); err != nil {
		t.Fatal(err)
	}
	_, err = buyOne(t, e.pay, e.owner)
	if ae, ok := apperr.As(err); !ok || ae.Field != "meter" || ae.Message != "Your account has no active meter. Ask your vendor to activate one." {
		t.Fatalf("with every meter suspended: %v; want the no-active-meter message", err)
	}
	e.books()
}
