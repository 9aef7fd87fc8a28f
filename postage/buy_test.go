package postage_test

import (
	"errors"
	"strings"
	"testing"

	"indicia/apperr"
	"indicia/postage"
)

func TestBuyRefusesAMovedRecipientUnlessAccepted(t *testing.T) {
	s, b := newService()
	o := postage.Order{Meter: fixed, Pieces: []postage.Piece{letter("12 Willow St, 06901", 1)}}
	_, err := s.Buy(t.Context(), mailer, o)
	if !errors.Is(err, postage.ErrRecipientMoved) {
		t.Fatalf("moved recipient bought: %v", err)
	}
	var me *postage.MovedError
	if !errors.As(err, &me) || me.Move.RecordID != 42 || me.Field != "recipient.address" {
		t.Fatalf("moved error: %+v", me)
	}
	ae, ok := apperr.As(err)
	if !ok || ae.Kind != apperr.KindConflict || ae.Code != postage.CodeRecipientMoved || ae.Details["match_id"] != int64(42) {
		t.Fatalf("moved error as apperr: %+v", ae)
	}
	if na, _ := ae.Details["new_address"].(map[string]string); na["line1"] != "34 ASPEN RD" || na["zip"] != "06902" {
		t.Fatalf("new address: %+v", ae.Details)
	}
	if len(b.reqs) != 0 {
		t.Fatalf("bought %d requests for a moved recipient", len(b.reqs))
	}
	o.Pieces[0].AcceptMoved = true
	p, err := s.Buy(t.Context(), mailer, o)
	if err != nil || p.Pieces != 1 || len(b.reqs) != 1 {
		t.Fatalf("accepted move: %v %+v", err, p)
	}
	if got := b.reqs[0].Pieces[0].Recipient.Standardized; got != "12 WILLOW ST, TOWN ST 06901-0001" {
		t.Fatalf("bought to %q, want the old address", got)
	}
}

func TestQuoteReportsAMoveWithoutRefusing(t *testing.T) {
	s, _ := newService()
	q, err := s.Quote(t.Context(), mailer, postage.Order{Meter: fixed, Pieces: []postage.Piece{letter("12 Willow St, 06901", 1)}})
	if err != nil || q.Pieces[0].Moved == nil || q.Pieces[0].Moved.NewOneLine() == "" {
		t.Fatalf("quote: %v %+v", err, q)
	}
}

func TestCleansingFailureNamesThePieceField(t *testing.T) {
	s, b := newService()
	for _, tc := range []struct {
		pieces []postage.Piece
		field  string
	}{
		{[]postage.Piece{letter("1 Main St nowhere, 06901", 1)}, "recipient.address"},
		{[]postage.Piece{letter("", 1)}, "recipient.address"},
		{[]postage.Piece{letter("1 Main St, 06901", 1), letter("1 Main St nowhere, 06901", 1)}, "pieces[1].recipient.address"},
	} {
		_, err := s.Buy(t.Context(), mailer, postage.Order{Meter: fixed, Pieces: tc.pieces})
		if ae, ok := apperr.As(err); !ok || ae.Kind != apperr.KindInvalid || ae.Field != tc.field {
			t.Errorf("%d pieces: %v, want invalid %s", len(tc.pieces), err, tc.field)
		}
	}
	if len(b.reqs) != 0 {
		t.Fatalf("bought despite a bad recipient: %+v", b.reqs)
	}
}

func TestBatchWithOneBadPieceBuysNothing(t *testing.T) {
	s, b := newService()
	o := postage.Order{Meter: fixed, Pieces: []postage.Piece{letter("1 Main St, 06901", 1), letter("2 Main St, 06901", 20), letter("3 Main St, 06901", 2)}}
	_, err := s.Buy(t.Context(), mailer, o)
	if ae, ok := apperr.As(err); !ok || ae.Field != "pieces[1].weight_oz" || ae.Message != "A letter weighs at most 13 oz." {
		t.Fatalf("batch with a heavy letter: %v", err)
	}
	if len(b.reqs) != 0 {
		t.Fatal("a batch with a bad piece was bought in part")
	}
	o.Pieces[1] = letter("2 Main St, 06901", 2)
	p, err := s.Buy(t.Context(), mailer, o)
	if err != nil || p.Pieces != 3 || p.Postage != 60+70+70 {
		t.Fatalf("batch: %v %+v", err, p)
	}
}

func TestRatedPieceTakesTheMetersOriginAndTheRatedPrice(t *testing.T) {
	s, b := newService()
	if _, err := s.Buy(t.Context(), mailer, postage.Order{Meter: fixed, Pieces: []postage.Piece{letter("1 Main St, 06901", 3)}}); err != nil {
		t.Fatal(err)
	}
	got := b.reqs[0]
	if got.MeterID != fixed.ID || got.Pieces[0].Postage != 80 || got.Pieces[0].DestZIP != "069010001" || got.Pieces[0].OriginZIP != "" {
		t.Fatalf("request: %+v", got)
	}
	p := letter("1 Main St, 06901", 3)
	p.Postage = 99
	_, err := s.Buy(t.Context(), mailer, postage.Order{Meter: fixed, Pieces: []postage.Piece{p}})
	if ae, ok := apperr.As(err); !ok || ae.Field != "postage" {
		t.Fatalf("postage other than the rate: %v", err)
	}
	p = letter("1 Main St, 06901", 3)
	p.DestZIP = "10001"
	if _, err := s.Buy(t.Context(), mailer, postage.Order{Meter: fixed, Pieces: []postage.Piece{p}}); apperr.KindOf(err) != apperr.KindInvalid {
		t.Fatalf("destination ZIP not the recipient's: %v", err)
	}
}

func TestOriginRules(t *testing.T) {
	s, _ := newService()
	p := letter("1 Main St, 06901", 1)
	_, err := s.Buy(t.Context(), mailer, postage.Order{Meter: floating, Pieces: []postage.Piece{p}})
	if ae, ok := apperr.As(err); !ok || ae.Field != "origin_zip" {
		t.Fatalf("floating meter without an origin: %v", err)
	}
	p.Spec.OriginZIP = "10001"
	if _, err := s.Buy(t.Context(), mailer, postage.Order{Meter: floating, Pieces: []postage.Piece{p}}); err != nil {
		t.Fatalf("floating meter with an origin: %v", err)
	}
	if _, err := s.Buy(t.Context(), mailer, postage.Order{Meter: fixed, Pieces: []postage.Piece{p}}); apperr.KindOf(err) != apperr.KindInvalid {
		t.Fatalf("fixed meter with another origin: %v", err)
	}
}

func TestMeterResolution(t *testing.T) {
	s, b := newService()
	// Metered postage needs no origin: the buyer picks the default meter.
	metered := letter("1 Main St, 06901", 0)
	metered.Rated, metered.Postage = false, 73
	if _, err := s.Buy(t.Context(), mailer, postage.Order{Pieces: []postage.Piece{metered}}); err != nil || b.reqs[0].MeterID != 0 {
		t.Fatalf("metered piece: %v %+v", err, b.reqs)
	}
	// A rated piece needs the default meter's origin.
	if _, err := s.Buy(t.Context(), mailer, postage.Order{Pieces: []postage.Piece{letter("1 Main St, 06901", 1)}}); err != nil || b.reqs[1].MeterID != fixed.ID {
		t.Fatalf("rated piece: %v %+v", err, b.reqs)
	}
	if _, err := s.Buy(t.Context(), mailer, postage.Order{MeterSerial: "nope", Pieces: []postage.Piece{metered}}); apperr.KindOf(err) != apperr.KindNotFound {
		t.Fatalf("unknown serial: %v", err)
	}
	m, active, err := s.ChooseMeter(t.Context(), mailer, "99")
	if ae, ok := apperr.As(err); !ok || ae.Field != "meter_id" || m.ID != fixed.ID || len(active) != 2 {
		t.Fatalf("meter not the account's: %v %+v", err, m)
	}
}

func TestFundingChoosesTheCardFee(t *testing.T) {
	s, _ := newService()
	p := letter("1 Main St, 06901", 1)
	q, err := s.Quote(t.Context(), mailer, postage.Order{Meter: fixed, Pieces: []postage.Piece{p}})
	if err != nil || q.CardFee != 0 || q.Total != 60 {
		t.Fatalf("prepaid quote: %v %+v", err, q)
	}
	p.Spec.OriginZIP = "10001"
	q, err = s.Quote(t.Context(), mailer, postage.Order{Meter: floating, Pieces: []postage.Piece{p, p}})
	if err != nil || q.CardFee != 50 {
		t.Fatalf("trickle quote: %v %+v", err, q)
	}
}

func TestUnknownServiceIsRefused(t *testing.T) {
	s, _ := newService()
	p := letter("1 Main St, 06901", 1)
	p.Spec.Services = []string{"teleport"}
	if _, err := s.Buy(t.Context(), mailer, postage.Order{Meter: fixed, Pieces: []postage.Piece{p}}); apperr.KindOf(err) != apperr.KindInvalid {
		t.Fatalf("unknown service: %v", err)
	}
}

// An address whose ZIP is the mailer's choice is refused with the
// candidates, so nothing is bought to a guessed ZIP.
func TestAnAmbiguousZIPIsRefusedWithTheCandidates(t *testing.T) {
	s, b := newService()
	_, err := s.Buy(t.Context(), mailer, postage.Order{Meter: fixed, Pieces: []postage.Piece{letter("1 Main St, 06901", 1), letter("12 Oak St, Springfield IL", 1)}})
	ae, ok := apperr.As(err)
	if !ok || ae.Kind != apperr.KindInvalid || ae.Code != postage.CodeZIPChoice || ae.Field != "pieces[1].recipient.address" {
		t.Fatalf("ambiguous ZIP: %v", err)
	}
	if got, _ := ae.Details["candidate_zips"].([]string); len(got) != 2 || got[0] != "62701" || got[1] != "62704" {
		t.Fatalf("candidates %v", ae.Details)
	}
	if !strings.Contains(ae.Message, "62701, 62704") {
		t.Errorf("message %q names no candidate", ae.Message)
	}
	if len(b.reqs) != 0 {
		t.Fatalf("bought %+v", b.reqs)
	}
}
