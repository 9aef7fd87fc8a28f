package address

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func newTestCleanser(t testing.TB, ref *ReferenceFile) *Cleanser {
	t.Helper()
	c, err := NewCleanser(ref)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCleanseStatuses(t *testing.T) {
	c := newTestCleanser(t, nil)
	for _, tc := range []struct {
		in, status, oneLine, reason string
	}{
		{"123 Main St Apt 4 Springfield IL 62704", "valid", "123 MAIN ST APT 4, SPRINGFIELD IL 62704", ""},
		{"123 main street apartment 4, springfield, illinois 62704", "valid", "123 MAIN ST APT 4, SPRINGFIELD IL 62704", ""},
		{"P.O. Box 45 Springfeild IL 62704", "corrected", "PO BOX 45, SPRINGFIELD IL 62704", "city corrected from SPRINGFEILD to SPRINGFIELD"},
		{"10 Main St, New York NY 90210", "invalid", "10 MAIN ST, NEW YORK NY 90210", "ZIP 90210 is in BEVERLY HILLS, CA, not NEW YORK, NY"},
		{"9 Rodeo Dr, Beverly Hills NY 90210", "corrected", "9 RODEO DR, BEVERLY HILLS CA 90210", "state corrected from NY to CA: ZIP 90210 is in BEVERLY HILLS, CA"},
		{"1 Main St Springfield IL", "ambiguous", "1 MAIN ST, SPRINGFIELD IL", "ZIP codes: add the ZIP"},
		{"5 Elm St Beverly Hills CA", "ambiguous", "5 ELM ST, BEVERLY HILLS CA", "ZIP codes: add the ZIP"},
		{"5 Elm St North Pole AK", "corrected", "5 ELM ST, NORTH POLE AK 99705", "ZIP 99705 supplied from NORTH POLE, AK"},
		{"5 Elm St Nrth Pole AK", "corrected", "5 ELM ST, NORTH POLE AK 99705", "city corrected from NRTH POLE to NORTH POLE"},
		{"5 Elm St 99705", "corrected", "5 ELM ST, NORTH POLE AK 99705", "city NORTH POLE supplied from ZIP 99705"},
		{"5 Elm St Foo IL 00000", "invalid", "5 ELM ST, FOO IL 00000", "ZIP 00000 does not exist"},
		{"Springfield IL 62704", "invalid", "SPRINGFIELD IL 62704", "no street address, PO Box or route"},
		{"10 Main St Apt Springfield IL 62704", "ambiguous", "10 MAIN ST APT, SPRINGFIELD IL 62704", "APT needs a number"},
		{"PSC 802 Box 74 APO AE 09499", "valid", "PSC 802 BOX 74, APO AE 09499", ""},
		{"", "invalid", "", "empty address"},
	} {
		r := c.Cleanse(tc.in)
		if string(r.Status) != tc.status || r.Standardized.OneLine != tc.oneLine {
			t.Errorf("Cleanse(%q) = %s %q, want %s %q (reasons %q)", tc.in, r.Status, r.Standardized.OneLine, tc.status, tc.oneLine, r.Reasons)
		}
		if tc.reason != "" && !slices.ContainsFunc(r.Reasons, func(s string) bool { return strings.Contains(s, tc.reason) }) {
			t.Errorf("Cleanse(%q) reasons %q, want one containing %q", tc.in, r.Reasons, tc.reason)
		}
		if tc.in != "" && !strings.HasSuffix(r.Checked, "; delivery point not checked") {
			t.Errorf("Cleanse(%q) without delivery-point data: checked %q", tc.in, r.Checked)
		}
	}
}

func TestCleanseKeepsWrittenText(t *testing.T) {
	c := newTestCleanser(t, nil)
	r := c.Cleanse("12 n. Main Street, Apt #4, St. Louis, Missouri 63101")
	want := map[string][2]string{
		LabelStreetNamePreDirectional: {"n.", "N"},
		LabelStreetNamePostType:       {"Street", "ST"},
		LabelOccupancyType:            {"Apt", "APT"},
		LabelPlaceName:                {"St. Louis", "SAINT LOUIS"},
		LabelStateName:                {"Missouri", "MO"},
	}
	for _, comp := range r.Components {
		if w, ok := want[comp.Label]; ok {
			if comp.Text != w[0] || comp.Standard != w[1] {
				t.Errorf("%s = %q/%q, want %q/%q", comp.Label, comp.Text, comp.Standard, w[0], w[1])
			}
			delete(want, comp.Label)
		}
	}
	if len(want) > 0 {
		t.Errorf("components missing: %v", want)
	}
	if got := r.Key(); got != "12 N MAIN ST # 4|63101" {
		t.Errorf("Key() = %q", got)
	}
	if r2 := c.Cleanse("12 NORTH MAIN ST # 4\nSAINT LOUIS MO 63101"); r2.Key() != "12 N MAIN ST # 4|63101" {
		t.Errorf("Key of the multi-line form = %q", r2.Key())
	}
}

const refCSV = `delivery_line,city,state,zip,zip4
123 Main St,Springfield,IL,62704,1234
500 Oak Ave,Springfield,IL,62704,
500 Oak Ave Apt 1,Springfield,IL,62704,2001
500 Oak Ave Apt 2,Springfield,IL,62704,2002
PO Box 45,Springfield,IL,62704,0045
`

func TestReferenceFileDPV(t *testing.T) {
	ref, err := LoadReference(strings.NewReader(refCSV))
	if err != nil {
		t.Fatal(err)
	}
	if ref.Len() != 5 {
		t.Fatalf("Len = %d, want 5", ref.Len())
	}
	c := newTestCleanser(t, ref)
	for _, tc := range []struct {
		in, dpv, zip4 string
		status        Status
	}{
		{"123 Main Street, Springfield IL 62704", "Y", "1234", StatusCorrected},
		{"500 Oak Avenue Apartment 2 Springfield IL 62704", "Y", "2002", StatusCorrected},
		{"500 Oak Ave Springfield IL 62704", "D", "", StatusAmbiguous},
		{"500 Oak Ave Apt 9 Springfield IL 62704", "S", "", StatusAmbiguous},
		{"777 Nowhere Rd Springfield IL 62704", "N", "", StatusInvalid},
		{"PO Box 45 Springfeild IL 62704", "Y", "0045", StatusCorrected},
		{"123 Main St Springfield IL 62704-1234", "Y", "1234", StatusValid},
	} {
		r := c.Cleanse(tc.in)
		if r.DPV != tc.dpv || r.ZIP4 != tc.zip4 || r.Status != tc.status {
			t.Errorf("Cleanse(%q) = DPV %q ZIP4 %q %s, want %q %q %s (reasons %q)", tc.in, r.DPV, r.ZIP4, r.Status, tc.dpv, tc.zip4, tc.status, r.Reasons)
		}
		if strings.Contains(r.Checked, "not checked") {
			t.Errorf("Cleanse(%q) with a reference file: checked %q", tc.in, r.Checked)
		}
	}
	if r := c.Cleanse("123 Main St Springfield IL 62704"); !strings.HasSuffix(r.Standardized.LastLine, "62704-1234") {
		t.Errorf("last line %q lacks the ZIP+4", r.Standardized.LastLine)
	}
}

func TestLoadReferenceErrors(t *testing.T) {
	for _, in := range []string{
		"",
		"street,zip\n1 Main St,62704\n",
		"delivery_line,zip,zip4\n1 Main St,6270,\n",
		"delivery_line,zip,zip4\n1 Main St,62704,12\n",
		"delivery_line,zip,zip4\n1 Main St\n",
	} {
		if _, err := LoadReference(strings.NewReader(in)); err == nil {
			t.Errorf("LoadReference(%q) succeeded, want an error", in)
		}
	}
}

func TestRunCLI(t *testing.T) {
	in := "Jane Roe\\n123 Main St Apt 4\\nSpringfield IL 62704\n\nP.O. Box 45 Springfeild IL 62704\n"
	var out bytes.Buffer
	if err := RunCLI(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d JSON lines, want 2 (blank input line skipped):\n%s", len(lines), out.String())
	}
	var first struct {
		Standardized struct {
			Lines []string `json:"lines"`
		} `json:"standardized"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if want := []string{"JANE ROE", "123 MAIN ST APT 4", "SPRINGFIELD IL 62704"}; !slices.Equal(first.Standardized.Lines, want) {
		t.Errorf("multi-line CLI input: lines %q, want %q", first.Standardized.Lines, want)
	}
	var r struct {
		Input      string `json:"input"`
		Components []struct {
			Label, Text, Standard string
		} `json:"components"`
		Standardized struct {
			OneLine string   `json:"one_line"`
			Lines   []string `json:"lines"`
		} `json:"standardized"`
		Status  string   `json:"status"`
		Reasons []string `json:"reasons"`
	}
	if err := json.Unmarshal([]byte(lines[1]), &r); err != nil {
		t.Fatal(err)
	}
	if r.Input != "P.O. Box 45 Springfeild IL 62704" || r.Status != "corrected" || r.Standardized.OneLine != "PO BOX 45, SPRINGFIELD IL 62704" || len(r.Components) != 5 || r.Components[0].Label != LabelUSPSBoxType || r.Components[0].Text != "P.O. Box" {
		t.Errorf("CLI line = %+v", r)
	}
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

// A Cleanser is shared by the batch workers and the web handlers.
func TestCleanseConcurrent(t *testing.T) {
	c := newTestCleanser(t, nil)
	want := c.Cleanse("123 Main St Apt 4 Springfield IL 62704").Key()
	done := make(chan string, 8)
	for range 8 {
		go func() {
			k := ""
			for range 200 {
				k = c.Cleanse("123 main street apartment 4, springfield il 62704").Key()
			}
			done <- k
		}()
	}
	for range 8 {
		if got := <-done; got != want {
			t.Errorf("concurrent Key = %q, want %q", got, want)
		}
	}
}

func TestRunCLILongLine(t *testing.T) {
	in := strings.Repeat("x", 200000) + "\n1 Main St Springfield IL 62704\n"
	var out bytes.Buffer
	if err := RunCLI(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"status":"invalid"`) || !strings.Contains(lines[0], "longer than") || !strings.Contains(lines[1], `"status":"valid"`) {
		t.Fatalf("long line then a good one: got %d lines: %.300s", len(lines), out.String())
	}
}

// Cleanse fills DeliveryPoint without rendering the delivery line twice; it
// must stay what Key computes from the result, for every labelled address.
func TestDeliveryPointIsKey(t *testing.T) {
	c := newTestCleanser(t, nil)
	n := 0
	for _, tc := range loadLabelled(t) {
		r := c.Cleanse(tc.Input)
		if r.DeliveryPoint != r.Key() {
			t.Errorf("%q: DeliveryPoint %q, Key %q", tc.Input, r.DeliveryPoint, r.Key())
		}
		if r.DeliveryPoint != "" {
			n++
		}
	}
	if n < 500 {
		t.Errorf("only %d addresses have a delivery point: the test proves little", n)
	}
}

// A ZIP written with four digits after the state (a lost leading zero the
// city does not confirm) is named as the problem, with the city and state
// still read; such an address has no match key.
func TestCleanseShortZIP(t *testing.T) {
	c := newTestCleanser(t, nil)
	r := c.Cleanse("1 Nowhere Rd, Boston MA 6901")
	p := Parsed{Components: r.Components}
	if r.Status != StatusInvalid || len(r.Reasons) != 1 || r.Reasons[0] != "ZIP 6901 has 4 digits: a ZIP Code has 5" ||
		p.Standard(LabelPlaceName) != "BOSTON" || p.Standard(LabelStateName) != "MA" {
		t.Errorf("got %s %q %v", r.Status, r.Reasons, r.Components)
	}
	if r.Key() != "" || r.DeliveryPoint != "" {
		t.Errorf("key %q, delivery point %q", r.Key(), r.DeliveryPoint)
	}
}
