package intl

import (
	"strings"
	"testing"
)

func TestCheckPerCountry(t *testing.T) {
	for _, tc := range []struct {
		country, text      string
		field, postcode    string
		wantLast, wantLine string
	}{
		{"CA", "24 Sussex Drive\nOttawa ON K1M 1M4", "", "K1M 1M4", "CANADA", "Ottawa ON K1M 1M4"},
		{"ca", "24 Sussex Drive, Ottawa ON K1M 1M4, Canada", "", "K1M 1M4", "CANADA", "Ottawa ON K1M 1M4"},
		{"DE", "Platz der Republik 1\n11011 Berlin", "", "11011", "GERMANY", "11011 Berlin"},
		{"GB", "10 Downing Street\nLondon\nSW1A 2AA", "", "SW1A 2AA", "UNITED KINGDOM", "SW1A 2AA"},
		{"JP", "1-1 Chiyoda\nChiyoda-ku, Tokyo 100-8111", "", "100-8111", "JAPAN", "Chiyoda-ku, Tokyo 100-8111"},
		{"HK", "1 Queen's Road Central\nCentral", "", "", "HONG KONG", "Central"},
		{"CA", "24 Sussex Drive", "address", "", "", ""},
		{"CA", "24 Sussex Drive\nOttawa ON", "address", "", "", ""},
		{"FR", "", "address", "", "", ""},
		{"", "1 Main St\nParis 75008", "country", "", "", ""},
		{"XX", "1 Main St\nParis 75008", "country", "", "", ""},
		{"PR", "1 Calle A\nSan Juan PR 00926", "country", "", "", ""},
		{"DE", "a\nb\nc\nd\ne\n10117 Berlin", "address", "", "", ""},
		{"DE", strings.Repeat("x", 65) + "\n10117 Berlin", "address", "", "", ""},
	} {
		a, p := Check(tc.country, tc.text)
		if tc.field != "" {
			if p == nil || p.Field != tc.field {
				t.Errorf("%s %q: problem %v, want one at %s", tc.country, tc.text, p, tc.field)
			}
			continue
		}
		if p != nil {
			t.Errorf("%s %q: %v", tc.country, tc.text, p)
			continue
		}
		lines := a.LabelLines("Ada Lovelace", "")
		if a.Postcode != tc.postcode || lines[len(lines)-1] != tc.wantLast || lines[0] != "Ada Lovelace" || !contains(lines, tc.wantLine) {
			t.Errorf("%s %q: postcode %q lines %q", tc.country, tc.text, a.Postcode, lines)
		}
	}
}

func TestChoicesStartWithUSAndLeaveOutTerritories(t *testing.T) {
	cs := Choices()
	if cs[0].Code != "US" || len(cs) < 230 {
		t.Fatalf("choices start %v, %d of them", cs[0], len(cs))
	}
	for _, c := range cs[1:] {
		if Domestic(c.Code) {
			t.Errorf("%s offered as foreign", c.Code)
		}
	}
	if c, ok := Lookup(" de "); !ok || c.Name != "Germany" {
		t.Errorf("Lookup(de) = %v %v", c, ok)
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
