package metering_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/jobs"
	"indicia/metering"
	"indicia/metering/meteringtest"
)

// A tamper alert and its email to the admins are one transaction: a crash
// after the alert is written but before the commit leaves neither (the next
// refusal raises it again), and a commit leaves both.
func TestTamperAlertAndItsEmailCommitTogether(t *testing.T) {
	b := meteringtest.Start(t)
	_, owner, m, pool := setupPool(t, b, 1000)
	ctx := context.Background()
	crash := true
	var queued []int64
	svc := metering.New(pool, b.Client, metering.Options{StageAlert: func(ctx context.Context, tx pgx.Tx, subject, body string) (func(context.Context), error) {
		id, err := jobs.Stage(ctx, tx, jobs.New{Kind: "admin_alert", Payload: map[string]string{"subject": subject, "body": body}}, time.Now())
		if err != nil {
			return nil, err
		}
		if crash {
			return nil, errors.New("worker died before the commit")
		}
		return func(context.Context) { queued = append(queued, id) }, nil
	}})
	if _, err := pool.Exec(ctx, `UPDATE meters SET dr = dr + 100000 WHERE id = $1`, m.ID); err != nil {
		t.Fatal(err)
	}
	count := func() (alerts, emails int) {
		t.Helper()
		if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM tamper_alerts), (SELECT count(*) FROM jobs WHERE kind = 'admin_alert'
			AND payload->>'subject' LIKE '%TAMPER%' || $1)`, m.Record.Serial).Scan(&alerts, &emails); err != nil {
			t.Fatal(err)
		}
		return alerts, emails
	}
	buy := func() {
		t.Helper()
		_, err := svc.Purchase(ctx, owner, metering.PurchaseRequest{MeterID: m.ID, Pieces: []metering.PieceRequest{piece(78)}})
		if e, ok := apperr.As(err); !ok || e.Code != "tamper" {
			t.Fatalf("want a tamper refusal, got %v", err)
		}
	}

	buy()
	if a, e := count(); a != 0 || e != 0 {
		t.Fatalf("after a crash before the commit: %d alerts, %d emails; want neither", a, e)
	}
	if held, _ := svc.Meter(ctx, owner, m.ID); held.TamperHold != "" {
		t.Errorf("meter held by an alert that was rolled back")
	}

	crash = false
	buy()
	if a, e := count(); a != 1 || e != 1 {
		t.Fatalf("after the commit: %d alerts, %d emails; want one of each", a, e)
	}
	if len(queued) != 1 {
		t.Errorf("email queued %d times after the commit, want once", len(queued))
	}
	alerts, err := svc.Alerts(ctx, accounts.User{Role: accounts.RoleAdmin}, 10)
	if err != nil || len(alerts) != 1 || alerts[0].Serial != m.Record.Serial {
		t.Fatalf("alerts %+v %v", alerts, err)
	}
}
