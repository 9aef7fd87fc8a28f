package metering_test

import (
	"context"
	"testing"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/metering"
	"indicia/metering/meteringtest"
)

// Postal staff verify indicia but read no label or purchase: not found,
// as for another account's. Vendor admins still do.
func TestPostalStaffReadNoLabels(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, _ := setup(t, b, 1000)
	ctx := context.Background()
	p, err := svc.Purchase(ctx, owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PurchaseByID(ctx, owner, p.PublicID); err != nil {
		t.Fatalf("the owner reads the purchase: %v", err)
	}
	l := p.Labels[0]
	if _, err := svc.LabelByID(ctx, staff, l.PublicID); apperr.KindOf(err) != apperr.KindNotFound {
		t.Errorf("staff reads a label: %v", err)
	}
	if _, err := svc.PurchaseByID(ctx, staff, p.PublicID); apperr.KindOf(err) != apperr.KindNotFound {
		t.Errorf("staff reads a purchase: %v", err)
	}
	if st, err := svc.LabelStates(ctx, staff, []string{l.PublicID}); err != nil || len(st) != 0 {
		t.Errorf("staff reads label states: %v %v", st, err)
	}
	admin := accounts.User{Role: accounts.RoleAdmin}
	if got, err := svc.LabelByID(ctx, admin, l.PublicID); err != nil || len(got.Recipient.Lines) == 0 {
		t.Errorf("admin reads the label: %+v %v", got, err)
	}
}
