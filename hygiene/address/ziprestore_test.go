package address_test

import (
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
