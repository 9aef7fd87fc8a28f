package address

import "testing"

func TestFieldsOneLineAndLastLine(t *testing.T) {
	f := Fields{Line1: "350 5TH AVE", Line2: "STE 100", City: "NEW YORK", State: "NY", ZIP: "10118"}
	if got, want := f.LastLine("0110"), "NEW YORK NY 10118-0110"; got != want {
		t.Errorf("LastLine = %q, want %q", got, want)
	}
	if got, want := f.OneLine(""), "350 5TH AVE, STE 100, NEW YORK NY 10118"; got != want {
		t.Errorf("OneLine = %q, want %q", got, want)
	}
	if got, want := (Fields{Line1: "PO BOX 1"}).OneLine(""), "PO BOX 1"; got != want {
		t.Errorf("OneLine without a last line = %q, want %q", got, want)
	}
}
