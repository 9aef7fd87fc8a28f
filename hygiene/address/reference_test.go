package address

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testdata/reference.csv is a small reference built for these tests: one
// multi-unit building, two houses, a box, a Wisconsin grid address and the
// odd and even ZIP+4 ranges of one block.
func loadTestReference(t *testing.T) *ReferenceFile {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "reference.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ref, err := LoadReference(f)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

func TestShippedReference(t *testing.T) {
	ref := loadTestReference(t)
	if ref.Len() != 10 {
		t.Fatalf("Len = %d, want 10 rows", ref.Len())
	}
	c := newTestCleanser(t, ref)
	for _, tc := range []struct {
		in, dpv, zip4 string
		status        Status
		checked       string
	}{
		{"5947 E Poplar Cir Apt 31, Springfield IL 62704", DPVConfirmed, "4431", StatusCorrected, "standardized; ZIP and city verified; delivery point confirmed"},
		// The designator the writer chose does not matter to the delivery point.
		{"5947 East Poplar Circle #31, Springfield IL 62704", DPVConfirmed, "4431", StatusCorrected, "standardized; ZIP and city verified; delivery point confirmed"},
		{"5947 E Poplar Cir Unit 31, Springfield IL 62704-4431", DPVConfirmed, "4431", StatusValid, "standardized; ZIP and city verified; delivery point confirmed"},
		{"5947 E Poplar Cir, Springfield IL 62704", DPVSecondaryMissing, "4410", StatusAmbiguous, "standardized; ZIP and city verified; building confirmed, apartment or suite missing"},
		{"5947 E Poplar Cir Apt 99, Springfield IL 62704", DPVSecondaryWrong, "4410", StatusAmbiguous, "standardized; ZIP and city verified; building confirmed, unit not found"},
		// A made-up house number on a real street is not valid.
		{"13 Oak St, Springfield IL 62704", DPVNotConfirmed, "", StatusInvalid, "standardized; ZIP and city verified; delivery point not found"},
		{"PO Box 45, Springfield IL 62704", DPVConfirmed, "0045", StatusCorrected, "standardized; ZIP and city verified; delivery point confirmed"},
		{"N165 W2123 Bluemound Rd, Waukesha WI 53186", DPVConfirmed, "7701", StatusCorrected, "standardized; ZIP and city verified; delivery point confirmed"},
		{"150 Maple Avenue, Springfield IL 62704", "", "2201", StatusCorrected, "standardized; ZIP and city verified; " + checkedRange},
		{"151 Maple Ave, Springfield IL 62704", "", "2202", StatusCorrected, "standardized; ZIP and city verified; " + checkedRange},
		{"250 Maple Ave, Springfield IL 62704", DPVNotConfirmed, "", StatusInvalid, "standardized; ZIP and city verified; delivery point not found"},
		{"13 Oak St, Springfeld IL 62799", DPVNotConfirmed, "", StatusInvalid, "standardized; ZIP and city not verified; delivery point not found"},
	} {
		r := c.Cleanse(tc.in)
		if r.DPV != tc.dpv || r.ZIP4 != tc.zip4 || r.Status != tc.status || r.Checked != tc.checked {
			t.Errorf("Cleanse(%q) = DPV %q ZIP4 %q %s %q,\n want %q %q %s %q (reasons %q)", tc.in, r.DPV, r.ZIP4, r.Status, r.Checked,
				tc.dpv, tc.zip4, tc.status, tc.checked, r.Reasons)
		}
		for _, reason := range r.Reasons {
			if strings.Contains(reason, "reference") {
				t.Errorf("Cleanse(%q): reason %q speaks of the reference file, not of the address", tc.in, reason)
			}
		}
	}
}

// Without delivery-point data the best a mailer is told is that the ZIP and
// city agree: the delivery point is not checked.
func TestNoReferenceSaysNotChecked(t *testing.T) {
	c := newTestCleanser(t, nil)
	r := c.Cleanse("13 Oak St, Springfield IL 62704")
	if r.Status != StatusValid || r.Checked != "standardized; ZIP and city verified; delivery point not checked" || r.DPV != "" {
		t.Errorf("got %s %q DPV %q", r.Status, r.Checked, r.DPV)
	}
	if len(r.Reasons) != 0 {
		t.Errorf("reasons %q, want none (nothing is wrong with the address)", r.Reasons)
	}
}

func TestLoadReferenceRangeErrors(t *testing.T) {
	for in, want := range map[string]string{
		"delivery_line,zip,zip4,primary_low,primary_high\nMaple Ave,62704,2201,200,100\n":      "line 2",
		"delivery_line,zip,zip4,primary_low,primary_high,parity\nMaple Ave,62704,2201,1,9,X\n": "parity",
		"delivery_line,zip,zip4,primary_low,primary_high\nMaple Ave,62704,,1,9\n":              "needs its zip4",
		"delivery_line,zip,zip4,primary_low\nMaple Ave,62704,2201,1\n":                         "primary_high",
		"delivery_line,zip,zip4\n1 Main St,62704,1234\n2 Main St,6270,\n":                      "line 3",
	} {
		_, err := LoadReference(strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadReference(%q) = %v, want an error containing %q", in, err, want)
		}
	}
}

func TestConvertOpenAddresses(t *testing.T) {
	in := "LON,LAT,NUMBER,STREET,UNIT,CITY,DISTRICT,REGION,POSTCODE,ID,HASH\n" +
		"-89.6,39.7,5947,E Poplar Cir,31,Springfield,,IL,62704,,a\n" +
		"-89.6,39.7,5947,E Poplar Cir,APT 32,Springfield,,IL,62704-4432,,b\n" +
		"-89.6,39.7,12,Oak St,,Springfield,,IL,62704,,c\n" +
		"-89.6,39.7,,Oak St,,Springfield,,IL,62704,,d\n" +
		"-89.6,39.7,14,Oak St,,Springfield,,IL,,,e\n"
	var out strings.Builder
	st, err := ConvertOpenAddresses(strings.NewReader(in), &out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Written != 3 || st.Skipped != 2 || len(st.FirstSkips) != 2 || !strings.HasPrefix(st.FirstSkips[0], "line 5:") || !strings.HasPrefix(st.FirstSkips[1], "line 6:") {
		t.Fatalf("stats %+v", st)
	}
	ref, err := LoadReference(strings.NewReader(out.String()))
	if err != nil {
		t.Fatalf("the converted file does not load: %v\n%s", err, out.String())
	}
	c := newTestCleanser(t, ref)
	for in, dpv := range map[string]string{
		"5947 E Poplar Cir Unit 31, Springfield IL 62704": DPVConfirmed,
		"5947 E Poplar Cir #32, Springfield IL 62704":     DPVConfirmed,
		"5947 E Poplar Cir, Springfield IL 62704":         DPVSecondaryMissing,
		"12 Oak St, Springfield IL 62704":                 DPVConfirmed,
		"14 Oak St, Springfield IL 62704":                 DPVNotConfirmed,
	} {
		if r := c.Cleanse(in); r.DPV != dpv {
			t.Errorf("Cleanse(%q) DPV %q, want %q", in, r.DPV, dpv)
		}
	}
	if r := c.Cleanse("5947 E Poplar Cir Apt 32, Springfield IL 62704"); r.ZIP4 != "4432" {
		t.Errorf("ZIP+4 from a ZIP+4 POSTCODE = %q", r.ZIP4)
	}
	if _, err := ConvertOpenAddresses(strings.NewReader("LON,LAT,STREET\n"), &out); err == nil || !strings.Contains(err.Error(), "NUMBER") {
		t.Errorf("a header without NUMBER: %v", err)
	}
}

func TestLoadReferenceFile(t *testing.T) {
	ref, err := LoadReferenceFile(filepath.Join("testdata", "reference.csv"))
	if err != nil || ref.Len() != 10 {
		t.Fatalf("LoadReferenceFile = %v, %v", ref, err)
	}
	if _, err := LoadReferenceFile(filepath.Join("testdata", "missing.csv")); err == nil {
		t.Error("a missing file loaded")
	}
}
