package rating

import "testing"

func TestZones(t *testing.T) {
	r := embeddedRater(t)
	cases := []struct {
		from, to string
		want     int
	}{
		{"10001", "10001", 1},      // same ZIP
		{"10001", "10002", 1},      // same ZIP3: local zone
		{"10001", "90001", 8},      // New York to Los Angeles
		{"90001", "10001", 8},      // and back
		{"10001", "02101", 3},      // New York to Boston, about 190 miles
		{"90001", "94102", 4},      // Los Angeles to San Francisco, about 350 miles
		{"10001", "60601", 5},      // New York to Chicago, about 710 miles
		{"10001", "96813", 8},      // to Honolulu
		{"10001", "99501", 8},      // to Anchorage
		{"10001", "00901", 8},      // to San Juan, Puerto Rico
		{"10001-1234", "90001", 8}, // ZIP+4 accepted
	}
	for _, c := range cases {
		got, err := r.Zone(c.from, c.to)
		if err != nil {
			t.Errorf("Zone(%s, %s): %v", c.from, c.to, err)
			continue
		}
		if got != c.want {
			t.Errorf("Zone(%s, %s) = %d, want %d", c.from, c.to, got, c.want)
		}
	}
	if _, err := r.Zone("10001", "00001"); err == nil || err.Error() != "dest_zip: unknown destination ZIP 00001" {
		t.Errorf("unknown ZIP: %v", err)
	}
}
