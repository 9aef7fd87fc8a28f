package web_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"indicia/accounts"
	"indicia/metering"
	"indicia/web/webtest"
)

// BenchmarkRatesAPI is one POST /api/v1/rates comparing every class, through
// the whole stack (key check, JSON, rater).
func BenchmarkRatesAPI(b *testing.B) {
	e := webtest.New(b)
	k := benchKey(b, e)
	body := `{"weight_oz":6,"origin_zip":"10001","dest_zip":"60601"}`
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/api/v1/rates", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+k)
		req.Header.Set("Content-Type", "application/json")
		if resp := e.Test(req); resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

// BenchmarkBatchPDF1000 renders a 1,000-label purchase as one 4x6 PDF from
// the stored indicia (GET /api/v1/purchases/:id/file).
func BenchmarkBatchPDF1000(b *testing.B) {
	e := webtest.New(b)
	if _, err := e.Metering.Credit(context.Background(), accounts.System, e.Meter.ID, 1000_00, metering.CreditAdmin, ""); err != nil {
		b.Fatal(err)
	}
	req := metering.PurchaseRequest{}
	for range 1000 {
		req.Pieces = append(req.Pieces, metering.PieceRequest{Postage: 78, MailClass: "FCM_LETTER", DestZIP: "90210",
			Recipient: metering.Recipient{Lines: []string{"ANN LEE", "9 ELM ST", "BEVERLY HILLS CA 90210"}, Standardized: "9 ELM ST, BEVERLY HILLS CA 90210"}})
	}
	p, err := e.Metering.Purchase(context.Background(), e.Owner, req)
	if err != nil {
		b.Fatal(err)
	}
	k := benchKey(b, e)
	b.ResetTimer()
	for b.Loop() {
		r := httptest.NewRequest("GET", "/api/v1/purchases/"+p.PublicID+"/file?format=pdf", nil)
		r.Header.Set("Authorization", "Bearer "+k)
		if resp := e.Test(r); resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

func benchKey(b *testing.B, e *webtest.Env) string {
	_, k, err := e.Acc.CreateAPIKey(context.Background(), e.Owner, "bench", []string{"buy_postage"})
	if err != nil {
		b.Fatal(err)
	}
	return k
}
