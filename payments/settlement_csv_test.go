package payments_test

import (
	"bytes"
	"encoding/csv"
	"testing"
	"time"

	"indicia/payments"
)

// Text columns of the settlement CSV are neutralized against formula
// injection; amounts, negative ones included, stay numbers.
func TestSettlementCSVNeutralizesFormulas(t *testing.T) {
	st := payments.Settlement{Rows: []payments.SettlementRow{{
		Day: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), Serial: "=HYPERLINK(\"x\")", OriginZIP: "+06901", Pieces: 1, Postage: -150,
	}}}
	var buf bytes.Buffer
	if err := st.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("%v %q", err, recs)
	}
	if r := recs[1]; r[1] != "'+06901" || r[2] != "'=HYPERLINK(\"x\")" || r[4] != "-1.50" {
		t.Errorf("row: %q", r)
	}
}
