package address

import "testing"

// The match key must not depend on which secondary designator the writer
// chose, while the standardized line keeps the writer's designator.
func TestKeyEquatesUnitDesignators(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	const want = "5947 E POPLAR CIR # 31|62704"
	for _, tc := range []struct{ in, line string }{
		{"5947 E Poplar Cir Apt 31, Springfield IL 62704", "5947 E POPLAR CIR APT 31"},
		{"5947 E Poplar Cir #31, Springfield IL 62704", "5947 E POPLAR CIR # 31"},
		{"5947 E Poplar Cir # 31 Springfield IL 62704", "5947 E POPLAR CIR # 31"},
		{"5947 E Poplar Cir Unit 31, Springfield IL 62704", "5947 E POPLAR CIR UNIT 31"},
		{"5947 East Poplar Circle Suite 31, Springfield IL 62704", "5947 E POPLAR CIR STE 31"},
		{"5947 E Poplar Cir Apt. #31, Springfield IL 62704", "5947 E POPLAR CIR APT 31"},
		{"5947 E Poplar Cir Rm 31, Springfield IL 62704", "5947 E POPLAR CIR RM 31"},
		{"5947 E Poplar Cir, Apartment 31, Springfield IL 62704", "5947 E POPLAR CIR APT 31"},
	} {
		r := c.Cleanse(tc.in)
		if r.Key() != want {
			t.Errorf("Cleanse(%q).Key() = %q, want %q", tc.in, r.Key(), want)
		}
		if r.Standardized.DeliveryLine != tc.line {
			t.Errorf("Cleanse(%q) delivery line %q, want %q (the writer's designator, standardized)", tc.in, r.Standardized.DeliveryLine, tc.line)
		}
	}
	// Different units, or a building or floor rather than a unit, stay apart.
	for _, in := range []string{
		"5947 E Poplar Cir Apt 32, Springfield IL 62704",
		"5947 E Poplar Cir Ste 310, Springfield IL 62704",
		"5947 E Poplar Cir Bldg 31, Springfield IL 62704",
		"5947 E Poplar Cir Fl 31, Springfield IL 62704",
		"5947 E Poplar Cir, Springfield IL 62704",
		"5947 E Poplar Cir Bsmt, Springfield IL 62704",
	} {
		if k := c.Cleanse(in).Key(); k == want {
			t.Errorf("Cleanse(%q).Key() = %q: a different delivery point has the same key", in, k)
		}
	}
	if k := c.Cleanse("5947 E Poplar Cir Bldg 2 Apt 31, Springfield IL 62704").Key(); k != "5947 E POPLAR CIR BLDG 2 # 31|62704" {
		t.Errorf("building and unit key = %q", k)
	}
}
