package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"indicia/metering"
	"indicia/web/webtest"
)

// An admin who resolves a tamper alert while the forged record is still in
// place keeps the alert open (with what they typed), so the meter can still
// be released once the genuine record is restored.
func TestTamperAlertStaysOpenWhileTheRecordStillFails(t *testing.T) {
	e := webtest.New(t)
	ctx := context.Background()
	if _, err := e.Pool.Exec(ctx, `UPDATE meters SET dr = 999999 WHERE id = $1`, e.Meter.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Metering.Purchase(ctx, e.Owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{{Postage: 78, DestZIP: "90210", MailClass: "FCM_LETTER",
		Recipient: metering.Recipient{Name: "Ann Lee", Lines: []string{"9 ELM ST", "BEVERLY HILLS CA 90210"}, Standardized: "9 ELM ST|90210"}}}}); err == nil {
		t.Fatal("a forged record dispensed")
	}
	var id string
	if err := e.Pool.QueryRow(ctx, `SELECT id::text FROM tamper_alerts WHERE meter_id = $1`, e.Meter.ID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	path := "/admin/alerts/" + id + "/resolve"

	r := e.Do("admin", "POST", path, url.Values{"resolution": {"Looked at it"}})
	body := webtest.Body(t, r)
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "still fails") || !strings.Contains(body, `value="Looked at it"`) {
		t.Fatalf("resolve with the forged record: %d, want 422 on the alerts page with the message and the note kept:\n%s", r.StatusCode, body)
	}
	if n, _ := e.Metering.OpenAlerts(ctx); n != 1 {
		t.Fatalf("%d open alerts, want the alert left open", n)
	}

	if _, err := e.Pool.Exec(ctx, `UPDATE meters SET dr = $2 WHERE id = $1`, e.Meter.ID, e.Meter.Record.DR); err != nil {
		t.Fatal(err)
	}
	r = e.Do("admin", "POST", path, url.Values{"resolution": {"Restored the genuine record"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("resolve with the genuine record: %d, want 303", r.StatusCode)
	}
	var hold string
	if err := e.Pool.QueryRow(ctx, `SELECT tamper_hold FROM meters WHERE id = $1`, e.Meter.ID).Scan(&hold); err != nil {
		t.Fatal(err)
	}
	if hold != "" {
		t.Fatalf("meter still held (%q) after its genuine record was restored", hold)
	}
}
