package metering_test

import (
	"context"
	"testing"

	"indicia/metering"
	"indicia/metering/meteringtest"
)

func TestMeterLookupsAnswerPayments(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m, pool := setupPool(t, b, 10_00)
	ctx := context.Background()

	st, err := metering.MeterStateOf(ctx, pool, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.ID != m.ID || st.AccountID != owner.AccountID || st.Serial != m.Record.Serial || st.DR != 10_00 || st.Status != "active" {
		t.Errorf("state %+v does not match meter %s", st, m.Record.Serial)
	}
	if _, err := metering.MeterStateOf(ctx, pool, m.ID+1000); err == nil {
		t.Error("state of an unknown meter: no error")
	}
	all, err := metering.MeterStates(ctx, pool, []int64{m.ID, m.ID + 1000})
	if err != nil || len(all) != 1 || all[m.ID].Serial != m.Record.Serial {
		t.Errorf("states %v, %v: want the one meter", all, err)
	}

	for _, tc := range []struct {
		account, meter int64
		want           int64
		found          bool
	}{
		{owner.AccountID, 0, m.ID, true},
		{owner.AccountID, m.ID, m.ID, true},
		{owner.AccountID + 1000, 0, 0, false},
		{owner.AccountID + 1000, m.ID, 0, false},
	} {
		id, found, err := metering.PurchaseMeterID(ctx, pool, tc.account, tc.meter)
		if err != nil || id != tc.want || found != tc.found {
			t.Errorf("PurchaseMeterID(%d, %d) = %d, %v, %v; want %d, %v", tc.account, tc.meter, id, found, err, tc.want, tc.found)
		}
	}

	p, err := svc.Purchase(ctx, owner, metering.PurchaseRequest{MeterID: m.ID, Pieces: []metering.PieceRequest{piece(73)}})
	if err != nil {
		t.Fatal(err)
	}
	sale, found, err := metering.LabelSaleOf(ctx, pool, p.Labels[0].PublicID)
	if err != nil || !found {
		t.Fatalf("label sale: %v, found %v", err, found)
	}
	if sale.PurchasePublicID != p.PublicID || sale.MeterID != m.ID || sale.Postage != 73 || sale.Status != "issued" {
		t.Errorf("sale %+v, want purchase %s, meter %d, 73 cents, issued", sale, p.PublicID, m.ID)
	}
	if _, found, err := metering.LabelSaleOf(ctx, pool, "no-such-label"); err != nil || found {
		t.Errorf("unknown label: found %v, %v", found, err)
	}
	if ok, err := metering.TransferExists(ctx, pool, metering.VoidTransferID(p.Labels[0].PublicID)); err != nil || ok {
		t.Errorf("void credit of an unvoided label: %v, %v", ok, err)
	}
}
