package payments_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"indicia/accounts"
	"indicia/metering"
	"indicia/payments"
)

// The day's settlement owes each origin post office exactly what the ledger
// says it earned: dispensed postage less voids, to the cent.
func TestSettlementMatchesLedger(t *testing.T) {
	t.Parallel()
	e := setup(t, 50_00, payments.Options{})
	e.card("pm_card_visa")
	ctx := context.Background()
	if _, err := e.pay.Buy(ctx, e.owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78), piece(156), piece(73)}}); err != nil {
		t.Fatal(err)
	}
	e.trickle()
	_, p, err := e.pay.BuyTrickle(ctx, e.owner, metering.PurchaseRequest{MeterID: e.meter.ID, Pieces: []metering.PieceRequest{piece(99)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.met.Void(ctx, e.owner, p.Labels[0].PublicID); err != nil {
		t.Fatal(err)
	}
	st, err := e.pay.Settle(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	want := e.balance("postal_revenue:06901")
	if want != 78+156+73 {
		t.Fatalf("ledger says 06901 earned %d, want %d", want, 78+156+73)
	}
	if len(st.Offices) != 1 || st.Offices[0].OriginZIP != "06901" || st.Offices[0].Postage != want || st.Total != want || st.Offices[0].Pieces != 3 {
		t.Fatalf("settlement %+v, want 06901 owed %d for 3 pieces", st.Offices, want)
	}
	again, err := e.pay.SettlementFor(ctx, e.owner, time.Now())
	if err == nil {
		t.Errorf("a mailer read the settlement: %+v", again)
	}
	got, err := e.pay.SettlementFor(ctx, accounts.User{Role: accounts.RoleStaff}, time.Now())
	if err != nil || got.Total != want {
		t.Fatalf("stored settlement %+v %v", got, err)
	}
	var buf bytes.Buffer
	if err := got.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), ",06901,"+e.meter.Record.Serial+",3,3.07") {
		t.Errorf("CSV:\n%s\nwant a line for 06901 with 3 pieces and $3.07", buf.String())
	}
}
