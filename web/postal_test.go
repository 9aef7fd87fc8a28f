package web_test

import (
	"context"
	"strings"
	"testing"

	"indicia/metering"
	"indicia/web/webtest"
)

func TestPostalStaffSeeVolumePerOriginAndFraudSignals(t *testing.T) {
	e := webtest.New(t)
	ctx := context.Background()
	pieces := []metering.PieceRequest{}
	for i := 0; i < 3; i++ {
		pieces = append(pieces, metering.PieceRequest{Postage: 78, DestZIP: "20500", MailClass: "FCM_LETTER",
			Recipient: metering.Recipient{Lines: []string{"1600 PENNSYLVANIA AVE NW"}, Standardized: "1600 PENNSYLVANIA AVE NW, WASHINGTON DC 20500"}})
	}
	if _, err := e.Metering.Purchase(ctx, e.Owner, metering.PurchaseRequest{Pieces: pieces}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Pool.Exec(ctx, `INSERT INTO fraud_signals (kind, indicium_id, detail, created_at)
		SELECT 'duplicate_use', id, 'seen on two pieces', now() FROM indicia LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	body := webtest.Body(t, e.Do("staff", "GET", "/postal?days=7", nil))
	for _, want := range []string{`<a href="/postal/origins/06901">06901</a></td><td>3</td>`, "$2.34", "duplicate_use", e.Meter.Record.Serial} {
		if !strings.Contains(body, want) {
			t.Errorf("postal page lacks %q", want)
		}
	}
	if r := e.Do("staff", "GET", "/postal?days=abc", nil); r.StatusCode != 422 {
		t.Errorf("bad period: %d", r.StatusCode)
	}
}

// A period that is not a number, or out of range, re-renders the form with
// the message next to the field, never a bare error page.
func TestPostalPeriodErrorsStayOnTheForm(t *testing.T) {
	e := webtest.New(t)
	for _, days := range []string{"abc", "-5", "0", "367"} {
		r := e.Do("staff", "GET", "/postal?days="+days, nil)
		body := webtest.Body(t, r)
		if r.StatusCode != 422 {
			t.Errorf("days=%s: %d", days, r.StatusCode)
		}
		if !strings.Contains(body, `id="days-error"`) || !strings.Contains(body, `value="`+days+`"`) || !strings.Contains(body, `action="/postal"`) {
			t.Errorf("days=%s: no form with the field error:\n%s", days, body)
		}
	}
}
