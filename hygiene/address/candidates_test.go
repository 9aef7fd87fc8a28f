package address

import (
	"path/filepath"
	"slices"
	"testing"
)

// An address whose ZIP the mailer must choose lists the written city's
// ZIPs; one whose ZIP fits lists none.
func TestCandidateZIPs(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	springfield := c.Cleanse("1 Main St\nSpringfield IL").CandidateZIPs
	if len(springfield) < 2 || !slices.IsSorted(springfield) || !slices.Contains(springfield, "62704") || slices.Contains(springfield, "06901") {
		t.Errorf("Springfield IL without a ZIP: candidates %v", springfield)
	}
	for in, want := range map[string][]string{
		"1 Main St, Darien CT 06901":   {"06820"},
		"1 Main St, Stamford CT 06820": {"06901", "06902"},
		"1 Main St, Stamford CT 06999": {"06901", "06902"},
	} {
		r := c.Cleanse(in)
		for _, z := range want {
			if !slices.Contains(r.CandidateZIPs, z) {
				t.Errorf("%q (%s %v): candidates %v, want %s among them", in, r.Status, r.Reasons, r.CandidateZIPs, z)
			}
		}
	}
	for _, in := range []string{"1 Main St, Stamford CT 06901", "1 Main St, Darien, CT", "1 Main St\nNowhereville ZZ 06901"} {
		if r := c.Cleanse(in); len(r.CandidateZIPs) != 0 {
			t.Errorf("%q (%s): candidates %v, want none", in, r.Status, r.CandidateZIPs)
		}
	}
}

// With a reference file, the candidates are the ZIPs it knows the street in.
func TestCandidateZIPsNarrowedByTheReference(t *testing.T) {
	ref, err := LoadReferenceFile(filepath.Join("testdata", "reference.csv"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(WithReference(ref))
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{"12 Oak St\nSpringfield IL", "150 Maple Ave\nSpringfield IL"} {
		if got := c.Cleanse(in).CandidateZIPs; !slices.Equal(got, []string{"62704"}) {
			t.Errorf("%q: candidates %v, want [62704]", in, got)
		}
	}
	if got := c.Cleanse("1 Nowhere Ln\nSpringfield IL").CandidateZIPs; len(got) < 2 {
		t.Errorf("a street the reference does not know: candidates %v, want the city's", got)
	}
}

func TestFaultField(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		f    Fields
		want string
	}{
		{Fields{Line1: "1 Main St", City: "Stamford", State: "CT", ZIP: "06901"}, ""},
		{Fields{Line1: "1 Main St", City: "Stamford", State: "CT", ZIP: "06820"}, "zip"},
		{Fields{Line1: "1 Main St", City: "Springfield", State: "IL"}, "zip"},
		{Fields{Line1: "1 Main St", City: "Stamford", State: "CT", ZIP: "00002"}, "zip"},
		{Fields{Line1: "1 Main St", City: "Qqqqxyzzy", State: "CT"}, "city"},
		{Fields{Line1: "Main St", City: "Stamford", State: "CT", ZIP: "06901"}, "line1"},
	} {
		if got := c.CheckFields(tc.f).FaultField(); got != tc.want {
			t.Errorf("%+v: fault %q (%v), want %q", tc.f, got, c.CheckFields(tc.f).Result.Reasons, tc.want)
		}
	}
}
