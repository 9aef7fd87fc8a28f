package address_test

import (
	"strings"
	"testing"

	"indicia/hygiene/address"
)

func TestRestoreZIP(t *testing.T) {
	c, err := address.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		zip, city, state, want string
		ok                     bool
	}{
		{"6901", "Stamford", "CT", "06901", true},
		{"6901-1234", "stamford", "ct", "06901-1234", true},
		{"6901.0", "Stamford", "CT", "06901", true},
		{"2108", "Boston", "MA", "02108", true},
		{"6901", "Boston", "MA", "", false},   // not Boston's ZIP
		{"6901", "", "CT", "", false},         // no city: not sure
		{"9999", "Stamford", "CT", "", false}, // not a ZIP of Stamford
		{"06901", "Stamford", "CT", "", false},
		{"69O1", "Stamford", "CT", "", false},
	} {
		got, ok := c.RestoreZIP(tc.zip, tc.city, tc.state)
		if got != tc.want || ok != tc.ok {
			t.Errorf("RestoreZIP(%q, %q, %q) = %q, %v; want %q, %v", tc.zip, tc.city, tc.state, got, ok, tc.want, tc.ok)
		}
	}
}

func TestRestoreTextZIP(t *testing.T) {
	c, err := address.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ in, want string }{
		{"12 Main St, Boston MA 2108", "12 Main St, Boston MA 02108"},
		{"12 Main St Boston MA 2108", "12 Main St Boston MA 02108"},
		{"12 Main St\nStamford, CT 6901-1234", "12 Main St\nStamford, CT 06901-1234"},
		{"12 Main St, Stamford CT 6901.0 ", "12 Main St, Stamford CT 06901"},
		{"12 Main St, Boston MA 6901", ""},  // not Boston's ZIP
		{"12 Main St, MA 2108", ""},         // no city: not sure
		{"12 Main St Apt 2108", ""},         // a unit number, no city
		{"PO Box 2108, Boston MA", ""},      // the ZIP is missing, not short
		{"12 Main St, Boston MA 02108", ""}, // already whole
		{"2108", ""},
	} {
		got, reason := c.RestoreTextZIP(tc.in)
		want := tc.want
		if want == "" {
			want = tc.in
		}
		if got != want || (reason != "") != (tc.want != "") {
			t.Errorf("RestoreTextZIP(%q) = %q, %q; want %q", tc.in, got, reason, want)
		}
	}
	f, reason := c.RestoreFieldsZIP(address.Fields{Line1: "12 Main St", Line2: "Boston MA 2108"}, "zip")
	if f.Line2 != "Boston MA 02108" || f.Line1 != "12 Main St" || reason == "" {
		t.Errorf("one-cell fields: %+v, %q", f, reason)
	}
	if _, reason = c.RestoreFieldsZIP(address.Fields{Line1: "12 Main St, Boston MA 2108", City: "Boston"}, "zip"); reason != "" {
		t.Errorf("a row with a city column is not one cell, got %q", reason)
	}
}

// A form or the verify API given a ZIP that lost its leading zero gets the
// address with the ZIP restored, marked corrected, with the reason; a ZIP
// the city does not have is not touched.
func TestCheckFieldsRestoresZIP(t *testing.T) {
	c, err := address.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []address.Fields{
		{Line1: "12 Main St", City: "Boston", State: "MA", ZIP: "2108"},
		{Line1: "12 Main St #31, Boston MA 2108"},
	} {
		fc := c.CheckFields(f)
		if fc.Suggested.ZIP != "02108" || fc.Suggested.City != "BOSTON" || fc.Result.Status != address.StatusCorrected || !fc.Differs ||
			len(fc.Result.Reasons) == 0 || !strings.Contains(fc.Result.Reasons[0], "read as 02108") {
			t.Errorf("CheckFields(%+v) = %+v, %+v", f, fc.Suggested, fc.Result.Reasons)
		}
	}
	fc := c.CheckFields(address.Fields{Line1: "12 Main St", City: "Boston", State: "MA", ZIP: "6901"})
	if fc.Suggested.ZIP == "06901" || fc.Result.Status == address.StatusValid || fc.Result.Status == address.StatusCorrected {
		t.Errorf("a ZIP Boston does not have: %+v, %s %q", fc.Suggested, fc.Result.Status, fc.Result.Reasons)
	}
}
