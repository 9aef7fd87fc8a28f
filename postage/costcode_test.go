package postage_test

import (
	"context"
	"strings"
	"testing"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/postage"
)

// fakeCostCodes knows MKT (id 5); it requires a code when required is set,
// and counts its look-ups.
type fakeCostCodes struct {
	required bool
	calls    int
}

func (f *fakeCostCodes) ResolveCostCode(_ context.Context, _ accounts.User, field, ref string) (accounts.CostCode, error) {
	f.calls++
	switch strings.ToUpper(strings.TrimSpace(ref)) {
	case "":
		if f.required {
			return accounts.CostCode{}, apperr.Invalid(field, "Choose a cost code.")
		}
		return accounts.CostCode{}, nil
	case "MKT":
		return accounts.CostCode{ID: 5, Name: "Marketing", Code: "MKT"}, nil
	}
	return accounts.CostCode{}, apperr.Invalid(field, "There is no cost code "+ref+".")
}

func costService(cc *fakeCostCodes) (*postage.Service, *fakeBuyer) {
	b := &fakeBuyer{}
	return postage.New(postage.Deps{Meters: fakeMeters{fixed}, Buyer: b, Cleanser: fakeCleanser{}, Rater: fakeRater{}, CostCodes: cc}), b
}

// Each piece carries its resolved cost code and reference to metering; a
// bad or missing required one names its piece and buys nothing; a batch
// resolves each code it names once; a price-only order is priced without one.
func TestCostCodesFlowToThePurchaseRequest(t *testing.T) {
	cc := &fakeCostCodes{required: true}
	s, b := costService(cc)
	piece := func(code, ref string) postage.Piece {
		p := letter("1 Main St, 06901", 1)
		p.CostCode, p.Reference = code, ref
		return p
	}
	for _, c := range []struct {
		pieces []postage.Piece
		field  string
	}{
		{[]postage.Piece{piece("MKT", ""), piece("", "")}, "pieces[1].cost_code"},
		{[]postage.Piece{piece("NOPE", "")}, "cost_code"},
	} {
		_, err := s.Buy(t.Context(), mailer, postage.Order{Meter: fixed, Pieces: c.pieces})
		if ae, ok := apperr.As(err); !ok || ae.Field != c.field {
			t.Errorf("%v, want invalid %s", err, c.field)
		}
	}
	if len(b.reqs) != 0 {
		t.Fatal("bought with a bad cost code")
	}
	// A price without the required cost code; buying that price is refused.
	q, err := s.Quote(t.Context(), mailer, postage.Order{Meter: fixed, Pieces: []postage.Piece{piece("", "")}, PriceOnly: true})
	if err != nil || q.Total != 60 {
		t.Fatalf("price only: %v %+v", err, q)
	}
	if _, err := s.BuyQuote(t.Context(), mailer, q); err == nil || len(b.reqs) != 0 {
		t.Fatal("a price-only quote was bought")
	}
	cc.calls = 0
	pieces := []postage.Piece{piece("MKT", " PO 1 "), piece("mkt", "PO 2"), piece("MKT", "")}
	if _, err := s.Buy(t.Context(), mailer, postage.Order{Meter: fixed, Pieces: pieces}); err != nil {
		t.Fatal(err)
	}
	if cc.calls != 1 { // "MKT" and "mkt" are one code: one look-up for the batch
		t.Errorf("%d look-ups for one code", cc.calls)
	}
	req := b.reqs[0]
	for i, want := range []string{"PO 1", "PO 2", ""} {
		if p := req.Pieces[i]; p.CostCodeID != 5 || p.Reference != want {
			t.Errorf("piece %d: cost code %d reference %q", i, p.CostCodeID, p.Reference)
		}
	}
}
