package address

import "testing"

// A stored verdict reads as the sentence the cleansing gave, so the pages
// and the API say the same thing.
func TestCheckedForMatchesCleanse(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	r := c.Cleanse("350 5th Ave, New York, NY 10118")
	if r.Status != StatusValid {
		t.Fatalf("status %s: %v", r.Status, r.Reasons)
	}
	if got := CheckedFor(r.Status, r.DPV); got != r.Checked {
		t.Errorf("CheckedFor = %q, Cleanse said %q", got, r.Checked)
	}
	if got := CheckedFor(StatusValid, ""); got != "standardized; ZIP and city verified; delivery point not checked" {
		t.Errorf("valid without DPV: %q", got)
	}
	if got := CheckedFor(StatusCorrected, DPVConfirmed); got != "standardized; ZIP and city verified; delivery point confirmed" {
		t.Errorf("corrected, confirmed: %q", got)
	}
	if got := CheckedFor(StatusAmbiguous, DPVSecondaryMissing); got != "see the reasons; building confirmed, apartment or suite missing" {
		t.Errorf("ambiguous, no unit: %q", got)
	}
	if StatusLabel(StatusValid) == "valid" || StatusLabel(StatusInvalid) == "invalid" {
		t.Error("labels are the codes")
	}
}
