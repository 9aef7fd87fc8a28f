package payments_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/payments"
)

// paymentAlert stores an open payment alert on the env's meter.
func (e *env) paymentAlert(kind string) int64 {
	e.t.Helper()
	var id int64
	err := e.pool.QueryRow(context.Background(), `INSERT INTO payment_alerts (account_id, meter_id, kind, detail, created_at)
		VALUES ($1, $2, $3, 'test alert', now()) RETURNING id`, e.owner.AccountID, e.meter.ID, kind).Scan(&id)
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

// vendorAdmin stores a vendor admin (resolved_by references users).
func (e *env) vendorAdmin(email, name string) accounts.User {
	e.t.Helper()
	u := accounts.User{Email: email, Name: name, Role: accounts.RoleAdmin}
	err := e.pool.QueryRow(context.Background(), `INSERT INTO users (email, name, password_hash, role, created_at, updated_at)
		VALUES ($1, $2, 'x', 'vendor_admin', now(), now()) RETURNING id`, email, name).Scan(&u.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

func TestResolvePaymentAlertOnce(t *testing.T) {
	e := setup(t, 0, payments.Options{})
	ctx := context.Background()
	admin := e.vendorAdmin("ada@example.com", "Ada Admin")
	first, second := e.paymentAlert("dispute"), e.paymentAlert("stranded")
	if n, err := e.pay.OpenAlerts(ctx); err != nil || n != 2 {
		t.Fatalf("open alerts %d %v, want 2", n, err)
	}

	// Only vendor admins resolve.
	for _, u := range []accounts.User{e.owner, {ID: 99, Role: accounts.RoleStaff}} {
		if err := e.pay.ResolveAlert(ctx, u, first, "looked"); apperr.KindOf(err) != apperr.KindForbidden {
			t.Errorf("%s resolves: %v, want forbidden", u.Role, err)
		}
		if _, err := e.pay.Alerts(ctx, u, 10); apperr.KindOf(err) != apperr.KindForbidden {
			t.Errorf("%s lists: %v, want forbidden", u.Role, err)
		}
	}
	// A resolution is required, trimmed and at most 500 characters.
	for _, res := range []string{"", "   \t", strings.Repeat("é", payments.MaxResolution+1)} {
		err := e.pay.ResolveAlert(ctx, admin, first, res)
		if ae, ok := apperr.As(err); !ok || ae.Kind != apperr.KindInvalid || ae.Field != "resolution" {
			t.Errorf("resolution of %d chars: %v, want invalid resolution", len(res), err)
		}
	}
	if err := e.pay.ResolveAlert(ctx, admin, 1_000_000, "looked"); apperr.KindOf(err) != apperr.KindNotFound {
		t.Errorf("unknown alert: %v, want not found", err)
	}

	if err := e.pay.ResolveAlert(ctx, admin, first, "  Customer's bank confirmed the dispute; refunded and left the meter suspended.  "); err != nil {
		t.Fatal(err)
	}
	if err := e.pay.ResolveAlert(ctx, admin, first, "again"); apperr.KindOf(err) != apperr.KindConflict {
		t.Errorf("second resolve: %v, want conflict", err)
	}
	if n, _ := e.pay.OpenAlerts(ctx); n != 1 {
		t.Errorf("open alerts %d after one resolve, want 1", n)
	}
	// The system user (jobs, tools) may resolve too; it is stored as nobody.
	if err := e.pay.ResolveAlert(ctx, accounts.System, second, strings.Repeat("x", payments.MaxResolution)); err != nil {
		t.Fatal(err)
	}

	// Open ones first, then resolved ones with who, when and what.
	third := e.paymentAlert("refund_failed")
	alerts, err := e.pay.Alerts(ctx, admin, 10)
	if err != nil || len(alerts) != 3 {
		t.Fatalf("alerts %+v %v", alerts, err)
	}
	if alerts[0].ID != third || !alerts[0].Open() || alerts[0].ResolvedBy != "" || alerts[0].Resolution != "" {
		t.Errorf("first listed %+v, want the open alert %d", alerts[0], third)
	}
	byID := map[int64]payments.Alert{}
	for _, a := range alerts[1:] {
		if a.Open() || a.ResolvedAt == nil || a.ResolvedAt.Sub(e.now).Abs() > time.Millisecond {
			t.Errorf("resolved alert %+v lacks its time", a)
		}
		byID[a.ID] = a
	}
	if a := byID[first]; a.ResolvedBy != "Ada Admin" || a.Resolution != "Customer's bank confirmed the dispute; refunded and left the meter suspended." {
		t.Errorf("resolved alert %+v, want by Ada Admin with the trimmed resolution", a)
	}
	if a := byID[second]; a.ResolvedBy != "" || len(a.Resolution) != payments.MaxResolution {
		t.Errorf("system-resolved alert %+v", a)
	}
}

func TestResolvePaymentAlertConcurrentlyResolvesOnce(t *testing.T) {
	e := setup(t, 0, payments.Options{})
	ctx := context.Background()
	admins := []accounts.User{e.vendorAdmin("ada@example.com", "Ada Admin"), e.vendorAdmin("abe@example.com", "Abe Admin")}
	for round := 0; round < 20; round++ {
		id := e.paymentAlert("stranded")
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, len(admins))
		for i, a := range admins {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = e.pay.ResolveAlert(ctx, a, id, "resolved by "+a.Name)
			}()
		}
		close(start)
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case apperr.KindOf(err) != apperr.KindConflict:
				t.Fatalf("round %d: %v, want nil or conflict", round, err)
			}
		}
		if won != 1 {
			t.Fatalf("round %d: %d resolves succeeded, want exactly 1 (%v)", round, won, errs)
		}
		var by, res string
		if err := e.pool.QueryRow(ctx, `SELECT u.name, a.resolution FROM payment_alerts a JOIN users u ON u.id = a.resolved_by WHERE a.id = $1`, id).Scan(&by, &res); err != nil {
			t.Fatal(err)
		}
		if res != "resolved by "+by {
			t.Errorf("round %d: resolution %q by %s: the loser overwrote the winner", round, res, by)
		}
	}
}
