package web_test

import (
	"context"
	"strings"
	"testing"

	"indicia/metering"
	"indicia/web/webtest"
)

// The 7-day forecast is the weekly mean of the pieces issued in the last 28
// days, not rounded: 3 pieces give 0.75, not 0. Pieces older than 28 days and
// voided labels (never mailed) do not count.
func TestPostalForecastOfAFixedHistory(t *testing.T) {
	e := webtest.New(t)
	ctx := context.Background()
	var pieces []metering.PieceRequest
	for i := 0; i < 6; i++ {
		pieces = append(pieces, metering.PieceRequest{Postage: 78, DestZIP: "20500", MailClass: "FCM_LETTER",
			Recipient: metering.Recipient{Lines: []string{"1600 PENNSYLVANIA AVE NW"}, Standardized: "1600 PENNSYLVANIA AVE NW, WASHINGTON DC 20500"}})
	}
	p, err := e.Metering.Purchase(ctx, e.Owner, metering.PurchaseRequest{Pieces: pieces})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Metering.Void(ctx, e.Owner, p.Labels[5].PublicID); err != nil {
		t.Fatal(err)
	}
	// Today, 10 and 27 days ago count; 29 and 40 days ago do not, nor the
	// label voided 3 days ago.
	for i, age := range []string{"1 hour", "10 days", "27 days", "29 days", "40 days", "3 days"} {
		if _, err := e.Pool.Exec(ctx, `UPDATE indicia SET created_at = now() - $2::interval WHERE public_id = $1`, p.Labels[i].PublicID, age); err != nil {
			t.Fatal(err)
		}
	}

	vols, err := e.Metering.VolumesByOrigin(ctx, e.Users["staff"], 60)
	if err != nil || len(vols) != 1 || vols[0].Pieces != 5 || vols[0].Voided != 1 || float64(vols[0].Forecast) != 0.75 {
		t.Fatalf("volumes: %+v %v, want 5 pieces, 1 voided, forecast 0.75", vols, err)
	}
	body := webtest.Body(t, e.Do("staff", "GET", "/postal?days=60", nil))
	if !strings.Contains(body, `<a href="/postal/origins/06901">06901</a></td><td>5</td>`) || !strings.Contains(body, "<td>1</td><td>0.75</td></tr>") {
		t.Errorf("postal page does not show 5 pieces, 1 voided, forecast 0.75:\n%s", body)
	}
	if !strings.Contains(body, "issued in the last 28 days") {
		t.Errorf("postal page does not say how the forecast is made:\n%s", body)
	}
}
