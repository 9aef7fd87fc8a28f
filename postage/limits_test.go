package postage_test

import (
	"strings"
	"testing"

	"indicia/apperr"
	"indicia/postage"
)

func TestTextNoLabelPrintsIsRefusedAtItsFieldBeforeBuying(t *testing.T) {
	s, b := newService()
	with := func(f func(*postage.Piece)) []postage.Piece {
		p := letter("1 Main St, 06901", 1)
		f(&p)
		return []postage.Piece{p}
	}
	cases := []struct {
		name  string
		order postage.Order
		field string
	}{
		{"NUL in the name", postage.Order{Meter: fixed, Pieces: with(func(p *postage.Piece) { p.Recipient.Name = "Ann\x00Lee" })}, "recipient.name"},
		{"NUL in the address", postage.Order{Meter: fixed, Pieces: with(func(p *postage.Piece) { p.Recipient.Address = "1 Main St\x00, 06901" })}, "recipient.address"},
		{"a 100 KB name", postage.Order{Meter: fixed, Pieces: with(func(p *postage.Piece) { p.Recipient.Name = strings.Repeat("A", 100<<10) })}, "recipient.name"},
		{"a long company", postage.Order{Meter: fixed, Pieces: with(func(p *postage.Piece) { p.Recipient.Company = strings.Repeat("Co ", 30) })}, "recipient.company"},
		{"a long address", postage.Order{Meter: fixed, Pieces: with(func(p *postage.Piece) { p.Recipient.Address = strings.Repeat("1 Main St ", 30) + ", 06901" })}, "recipient.address"},
		{"invalid UTF-8", postage.Order{Meter: fixed, Pieces: with(func(p *postage.Piece) { p.Recipient.Name = "Ann \xff" })}, "recipient.name"},
		{"a 10 KB idempotency key", postage.Order{Meter: fixed, IdempotencyKey: strings.Repeat("k", 10<<10), Pieces: with(func(*postage.Piece) {})}, "Idempotency-Key"},
		{"a key with a newline", postage.Order{Meter: fixed, IdempotencyKey: "a\nb", Pieces: with(func(*postage.Piece) {})}, "Idempotency-Key"},
		{"second piece of a batch", postage.Order{Meter: fixed, Pieces: append(with(func(*postage.Piece) {}), with(func(p *postage.Piece) { p.Recipient.Name = "x\x00" })...)}, "pieces[1].recipient.name"},
	}
	for _, c := range cases {
		_, err := s.Buy(t.Context(), mailer, c.order)
		if ae, ok := apperr.As(err); !ok || ae.Kind != apperr.KindInvalid || ae.Field != c.field {
			t.Errorf("%s: %v, want invalid %s", c.name, err, c.field)
		}
	}
	if len(b.reqs) != 0 {
		t.Fatalf("bought despite bad text: %d requests", len(b.reqs))
	}
	// A name as long as a label prints is bought.
	if _, err := s.Buy(t.Context(), mailer, postage.Order{Meter: fixed, Pieces: with(func(p *postage.Piece) { p.Recipient.Name = strings.Repeat("A", postage.MaxNameRunes) })}); err != nil {
		t.Fatalf("64-character name: %v", err)
	}
}
