package address

import (
	"slices"
	"testing"
)

// FuzzParse checks that Parse never panics on any text and that, for text
// that parses as an address (a house number and street or a box, plus a city
// or ZIP, nothing unplaced), standardization is idempotent: parsing the
// standardized address again and standardizing it gives the same lines.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"123 Main St Apt 4 Springfield IL 62704",
		"John Smith\nAcme Corp\n350 5th Ave Ste 7600\nNew York, NY 10118-0110",
		"PO Box 123, Beverly Hills CA 90210",
		"RR 2 Box 152 Ames IA 50010",
		"PSC 802 Box 74 APO AE 09499",
		"urb las gladiolas 150 calle a san juan pr 00926",
		"123 1/2 Oak Street #5 Austin TX 78701",
		"42-15 Crescent St, Long Island City NY 11101",
		"500 N Avenue B Apt 2 Austin TX 78701",
		"1 main stret st louis mo",
		"0 0 pt 77001", // a city word two edits from a state name ("MONT")
	} {
		f.Add(s)
	}
	p, err := newParser()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := p.parse(s)
		if err != nil {
			return
		}
		if !deliverable(got) {
			return // idempotence is promised for addresses, not for any text
		}
		std := Standardize(got)
		if len(std.Text()) > MaxInputLen {
			return // upper-casing can lengthen some scripts past the limit
		}
		again, err := p.parse(std.Text())
		if err != nil {
			if len(std.Lines) > 0 {
				t.Fatalf("standardized form %q of %q does not parse: %v", std.Text(), s, err)
			}
			return
		}
		std2 := Standardize(again)
		if !slices.Equal(std.Lines, std2.Lines) {
			t.Fatalf("not idempotent for %q:\n first  %q\n second %q", s, std.Lines, std2.Lines)
		}
	})
}

func deliverable(p Parsed) bool {
	has := func(l string) bool { _, ok := p.Get(l); return ok }
	if has(LabelNotAddress) {
		return false
	}
	primary := (has(LabelAddressNumber) && has(LabelStreetName)) || has(LabelUSPSBoxID) || has(LabelUSPSGeneralDelivery)
	return primary && (has(LabelPlaceName) || has(LabelZipCode))
}
