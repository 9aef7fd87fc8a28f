package postage_test

import (
	"testing"

	"indicia/apperr"
	"indicia/metering/rating"
	"indicia/postage"
)

func abroadPiece(country, class, address string, oz float64) postage.Piece {
	return postage.Piece{Recipient: postage.Recipient{Name: "Justin Example", Address: address, Country: country}, Rated: true,
		Spec: rating.Piece{Class: class, WeightOz: oz}}
}

func TestBuyAbroadKeepsTheWeight(t *testing.T) {
	s, b := newService()
	o := postage.Order{Meter: fixed, Pieces: []postage.Piece{abroadPiece("CA", rating.ClassIntlLetter, "24 Sussex Drive\nOttawa ON K1M 1M4", 2.5)}}
	if _, err := s.Buy(t.Context(), mailer, o); err != nil {
		t.Fatal(err)
	}
	if len(b.reqs) != 1 || b.reqs[0].Pieces[0].WeightOz != 2.5 {
		t.Fatalf("bought %+v, want a piece of 2.5 oz", b.reqs)
	}
}

// A country that is not one (or one mailed as a US address) is the
// country's fault, whatever class the piece names.
func TestAbroadCountryIsCheckedBeforeTheClass(t *testing.T) {
	s, b := newService()
	for _, tc := range []struct{ country, class string }{
		{"ZZ", rating.ClassPriority},
		{"ZZ", rating.ClassFirstClassLetter},
		{"ZZ", ""},
		{"ZZ", rating.ClassIntlLetter},
		{"PR", rating.ClassPriority},
	} {
		o := postage.Order{Meter: fixed, Pieces: []postage.Piece{abroadPiece(tc.country, tc.class, "1 rue de Rivoli\n75001 Paris", 1)}}
		_, err := s.Quote(t.Context(), mailer, o)
		if ae, ok := apperr.As(err); !ok || ae.Kind != apperr.KindInvalid || ae.Field != "recipient.country" {
			t.Errorf("%s, class %q: %v, want invalid recipient.country", tc.country, tc.class, err)
		}
	}
	// A known country with a package is still refused at the class.
	_, err := s.Quote(t.Context(), mailer, postage.Order{Meter: fixed, Pieces: []postage.Piece{abroadPiece("FR", rating.ClassPriority, "1 rue de Rivoli\n75001 Paris", 16)}})
	if ae, ok := apperr.As(err); !ok || ae.Field != "mail_class" || ae.Code != postage.CodeIntlClassUnavailable {
		t.Errorf("package to France: %v", err)
	}
	if len(b.reqs) != 0 {
		t.Fatalf("bought %+v", b.reqs)
	}
}
