package metering_test

import (
	"testing"

	"indicia/apperr"
	"indicia/metering"
)

// Validate refuses what Purchase would refuse, before any card is charged.
func TestValidateBeforeCharging(t *testing.T) {
	svc := metering.New(nil, nil, metering.Options{})
	ok := metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}}
	if err := svc.Validate(&ok); err != nil {
		t.Fatalf("a good request was refused: %v", err)
	}
	if ok.Pieces[0].MailingDate.IsZero() {
		t.Error("Validate left the mailing date empty; it should default to today")
	}
	bad := metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(0)}}
	err := svc.Validate(&bad)
	if e, ok := apperr.As(err); !ok || e.Field != "postage" {
		t.Fatalf("zero postage: got %v, want an invalid postage error", err)
	}
}
