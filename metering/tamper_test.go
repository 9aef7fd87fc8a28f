package metering_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/metering"
	"indicia/metering/box"
	"indicia/metering/meteringtest"
)

func wantTamper(t *testing.T, svc *metering.Service, owner accounts.User, m metering.Meter, what string) {
	t.Helper()
	ctx := context.Background()
	_, err := svc.Purchase(ctx, owner, metering.PurchaseRequest{MeterID: m.ID, Pieces: []metering.PieceRequest{piece(78)}})
	if e, ok := apperr.As(err); !ok || e.Code != "tamper" {
		t.Fatalf("%s: want a tamper refusal, got %v", what, err)
	}
	alerts, err := svc.Alerts(ctx, accounts.User{Role: accounts.RoleAdmin}, 10)
	if err != nil || len(alerts) != 1 || alerts[0].Serial != m.Record.Serial || alerts[0].ResolvedAt != nil {
		t.Fatalf("%s: alerts %+v %v", what, alerts, err)
	}
	after, _ := svc.Meter(ctx, owner, m.ID)
	if after.TamperHold == "" {
		t.Errorf("%s: meter not held after the alert", what)
	}
	var n int
	if err := svcPool(t).QueryRow(ctx, `SELECT count(*) FROM indicia`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%s: %d indicia dispensed from a tampered record", what, n)
	}
	// Held: even a later purchase is refused without asking the box.
	if _, err := svc.Purchase(ctx, owner, metering.PurchaseRequest{MeterID: m.ID, Pieces: []metering.PieceRequest{piece(78)}}); apperr.KindOf(err) != apperr.KindConflict {
		t.Errorf("%s: held meter answered %v", what, err)
	}
	if rep, _ := svc.Audit(ctx); rep.OK() {
		t.Errorf("%s: the audit did not notice", what)
	}
	if n, _ := svc.OpenAlerts(ctx); n != 1 {
		t.Errorf("%s: %d open alerts", what, n)
	}
}

var pools = map[string]*pgxpool.Pool{}

func setPool(t *testing.T, p *pgxpool.Pool) { pools[t.Name()] = p }
func svcPool(t *testing.T) *pgxpool.Pool    { return pools[t.Name()] }

func TestEditedRecordIsRefused(t *testing.T) {
	edits := map[string]string{
		"descending register": `UPDATE meters SET dr = dr + 100000`,
		"ascending register":  `UPDATE meters SET ar = ar - 1`,
		"update counter":      `UPDATE meters SET counter = counter + 1`,
		"wrapped key":         `UPDATE meters SET wrapped_key = wrapped_key || '\x00'::bytea`,
		"status":              `UPDATE meters SET status = 'active', suspend_reason = ''`,
		"origin":              `UPDATE meters SET origin_zip = '00000'`,
		"piece count":         `UPDATE meters SET piece_count = piece_count + 5`,
	}
	for what, sql := range edits {
		t.Run(what, func(t *testing.T) {
			b := meteringtest.Start(t)
			svc, owner, m, pool := setupPool(t, b, 1000)
			setPool(t, pool)
			if what == "status" {
				// Suspend first so that writing "active" is a real change.
				if _, err := svc.Suspend(context.Background(), accounts.System, m.ID, box.ReasonInspection); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := pool.Exec(context.Background(), sql+` WHERE id = $1`, m.ID); err != nil {
				t.Fatal(err)
			}
			wantTamper(t, svc, owner, m, what)
		})
	}
}

func TestReplayedOlderRecordIsRefused(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m, pool := setupPool(t, b, 1000)
	setPool(t, pool)
	ctx := context.Background()
	old := m.Record // funded with 1000, nothing spent
	if _, err := svc.Purchase(ctx, owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(500)}}); err != nil {
		t.Fatal(err)
	}
	// Someone puts the richer, older record back.
	_, err := pool.Exec(ctx, `UPDATE meters SET ar=$2, dr=$3, piece_count=$4, counter=$5, chain_head=$6, mac=$7 WHERE id=$1`,
		m.ID, old.AR, old.DR, old.PieceCount, old.Counter, old.ChainHead, old.MAC)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `DELETE FROM indicia`); err != nil { // hide the spent piece too
		t.Fatal(err)
	}
	wantTamperAfterReplay(t, svc, owner, m)
}

func wantTamperAfterReplay(t *testing.T, svc *metering.Service, owner accounts.User, m metering.Meter) {
	t.Helper()
	_, err := svc.Purchase(context.Background(), owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}})
	if e, ok := apperr.As(err); !ok || e.Code != "tamper" {
		t.Fatalf("replayed record: want a tamper refusal, got %v", err)
	}
	alerts, _ := svc.Alerts(context.Background(), accounts.User{Role: accounts.RoleAdmin}, 10)
	if len(alerts) != 1 || alerts[0].Reason != "freshness" {
		t.Errorf("alerts %+v: want one freshness alert", alerts)
	}
}

func TestResolvingAnAlertReleasesOnlyAGenuineRecord(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m, pool := setupPool(t, b, 1000)
	setPool(t, pool)
	ctx := context.Background()
	admin := accounts.User{Role: accounts.RoleAdmin}
	pool.Exec(ctx, `UPDATE meters SET dr = 999999 WHERE id = $1`, m.ID)
	svc.Purchase(ctx, owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}})
	alerts, _ := svc.Alerts(ctx, admin, 10)
	// With the forged record still in place the alert stays open: closing it
	// would leave a held meter with nothing left to resolve.
	released, err := svc.ResolveAlert(ctx, admin, alerts[0].ID, "looked at it")
	if f, ok := apperr.AsFields(err); released || !ok || !strings.Contains(f["resolution"], "still fails") {
		t.Fatalf("resolving with the forged record still in place: released=%v err=%v, want a resolution error", released, err)
	}
	if n, _ := svc.OpenAlerts(ctx); n != 1 {
		t.Fatalf("%d open alerts after a refused resolve, want 1", n)
	}
	// The genuine record is restored from backup; the same alert is resolved with release.
	pool.Exec(ctx, `UPDATE meters SET dr = $2 WHERE id = $1`, m.ID, m.Record.DR)
	if released, err := svc.ResolveAlert(ctx, admin, alerts[0].ID, "restored the genuine record from backup"); err != nil || !released {
		t.Fatalf("resolving with the genuine record: released=%v err=%v", released, err)
	}
	if _, err := svc.Purchase(ctx, owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}}); err != nil {
		t.Fatalf("released meter: %v", err)
	}
	audit(t, svc)
}

// Admins resolving the same alert at once resolve it once: one of them
// releases the meter and writes the resolution, the others are told it is
// no longer open (or already resolved) and overwrite nothing.
func TestAlertResolvedAtOnceIsResolvedOnce(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m, pool := setupPool(t, b, 1000)
	setPool(t, pool)
	ctx := context.Background()
	admin := accounts.User{Role: accounts.RoleAdmin}
	if _, err := pool.Exec(ctx, `UPDATE meters SET dr = 999999 WHERE id = $1`, m.ID); err != nil {
		t.Fatal(err)
	}
	svc.Purchase(ctx, owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}})
	alerts, err := svc.Alerts(ctx, admin, 10)
	if err != nil || len(alerts) != 1 {
		t.Fatalf("alerts %+v, %v: want one", alerts, err)
	}
	if _, err := pool.Exec(ctx, `UPDATE meters SET dr = $2 WHERE id = $1`, m.ID, m.Record.DR); err != nil {
		t.Fatal(err)
	}
	const admins = 4
	var wg sync.WaitGroup
	released := make([]bool, admins)
	errs := make([]error, admins)
	start := make(chan struct{})
	for i := range admins {
		wg.Go(func() {
			<-start
			released[i], errs[i] = svc.ResolveAlert(ctx, admin, alerts[0].ID, fmt.Sprintf("restored the record (admin %d)", i))
		})
	}
	close(start)
	wg.Wait()
	winner := -1
	for i := range admins {
		switch kind := apperr.KindOf(errs[i]); {
		case errs[i] == nil && released[i]:
			if winner >= 0 {
				t.Fatalf("admins %d and %d both resolved the alert", winner, i)
			}
			winner = i
		case kind == apperr.KindNotFound || kind == apperr.KindConflict:
		default:
			t.Errorf("admin %d: released=%v err=%v", i, released[i], errs[i])
		}
	}
	if winner < 0 {
		t.Fatal("nobody resolved the alert")
	}
	var note string
	if err := pool.QueryRow(ctx, `SELECT resolution FROM tamper_alerts WHERE id = $1`, alerts[0].ID).Scan(&note); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("restored the record (admin %d)", winner); note != want {
		t.Errorf("resolution %q, want the winner's %q", note, want)
	}
	if _, err := svc.Purchase(ctx, owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}}); err != nil {
		t.Fatalf("released meter: %v", err)
	}
}
