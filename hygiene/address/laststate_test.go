package address

import (
	"slices"
	"strings"
	"testing"
)

// A state code that is also a street word (CT is Court) after a city with
// no ZIP is the state: the city's ZIPs are offered, as with a comma before
// the state.
func TestCleanseStateWithoutZIPAfterCity(t *testing.T) {
	c := newTestCleanser(t, nil)
	for _, in := range []string{"1 Main St, Stamford CT", "1 Main St Stamford CT", "1 Main St, Stamford, CT"} {
		r := c.Cleanse(in)
		p := Parsed{Components: r.Components}
		if p.Standard(LabelPlaceName) != "STAMFORD" || p.Standard(LabelStateName) != "CT" || r.Standardized.DeliveryLine != "1 MAIN ST" {
			t.Errorf("%q: read as %v", in, pairs(p))
		}
		if r.Status != StatusAmbiguous || !slices.Contains(r.CandidateZIPs, "06901") || !slices.Contains(r.CandidateZIPs, "06905") {
			t.Errorf("%q: %s %q candidates %v, want the ZIPs of Stamford CT", in, r.Status, r.Reasons, r.CandidateZIPs)
		}
		fc := c.CheckFields(Fields{Line1: in})
		if fc.FaultField() != "zip" {
			t.Errorf("%q: fault at %q, want zip", in, fc.FaultField())
		}
	}
	// A street that ends in Court stays a street.
	r := c.Cleanse("12 Bay Ct")
	if p := (Parsed{Components: r.Components}); p.Standard(LabelStateName) != "" || p.Standard(LabelStreetNamePostType) != "CT" {
		t.Errorf("12 Bay Ct: read as %v", pairs(p))
	}
}

// A ZIP with a slip in it ("06905x") is named as the problem at the ZIP,
// with city and state still read, in one line and in form fields.
func TestCleanseMalformedZIP(t *testing.T) {
	c := newTestCleanser(t, nil)
	for _, in := range []string{"Stamford CT 06905x", "1 Main St, Stamford CT 06905x", "1 Main St Stamford CT 069051", "1 Main St\nStamford, CT 06905-12"} {
		r := c.Cleanse(in)
		p := Parsed{Components: r.Components}
		if p.Standard(LabelPlaceName) != "STAMFORD" || p.Standard(LabelStateName) != "CT" {
			t.Errorf("%q: read as %v", in, pairs(p))
		}
		found := false
		for _, why := range r.Reasons {
			found = found || (strings.HasPrefix(why, "ZIP ") && strings.Contains(why, "is malformed"))
			if strings.Contains(why, "missing") && strings.Contains(why, "city") {
				t.Errorf("%q: says %q", in, why)
			}
		}
		if r.Status != StatusInvalid || !found {
			t.Errorf("%q: %s %q, want the ZIP named malformed", in, r.Status, r.Reasons)
		}
	}
	fc := c.CheckFields(Fields{Line1: "1 Main St", City: "Stamford", State: "CT", ZIP: "06905x"})
	if fc.FaultField() != "zip" || !strings.Contains(fc.Result.Reasons[0], "06905X is malformed") {
		t.Errorf("form: fault at %q, reasons %q", fc.FaultField(), fc.Result.Reasons)
	}
}
