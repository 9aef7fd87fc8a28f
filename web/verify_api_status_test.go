package web_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"indicia/web/webtest"
)

// The API answers like the /verify page: after the first valid scan the
// label is used, with when and where it was scanned; a rescan of the same
// piece still says the first scan's time and place, and the result is
// unchanged (valid, then duplicate on another piece).
func TestAPIVerifySaysTheLabelIsUsed(t *testing.T) {
	e := webtest.New(t)
	_, in := buyViaAPI(t, e)
	staffKey := key(t, e, e.Users["staff"])
	verify := func(pieceRef, location string) map[string]any {
		t.Helper()
		code, out := apiCall(t, e, staffKey, "POST", "/api/v1/indicia/verify",
			fmt.Sprintf(`{"text":%q,"piece_ref":%q,"location":%q}`, in.Text(), pieceRef, location))
		if code != http.StatusOK {
			t.Fatalf("verify %s at %s: %d %v", pieceRef, location, code, out)
		}
		return out
	}

	before := time.Now().Add(-time.Second)
	first := verify("P-1", "Stamford P&DC")
	usedAt, err := time.Parse(time.RFC3339, fmt.Sprint(first["used_at"]))
	if first["result"] != "valid" || first["label_status"] != "used" || err != nil || usedAt.Before(before) || usedAt.After(time.Now().Add(time.Second)) ||
		first["used_location"] != "Stamford P&DC" {
		t.Fatalf("first scan: %v (used_at: %v)", first, err)
	}
	if _, ok := first["first_used_at"]; ok {
		t.Errorf("the first scan has a first_used_at: %v", first)
	}

	again := verify("P-1", "Hartford")
	if again["result"] != "valid" || again["label_status"] != "used" || again["used_at"] != first["used_at"] ||
		again["used_location"] != "Stamford P&DC" || again["first_used_at"] != first["used_at"] {
		t.Errorf("rescan of the same piece: %v, want used_at %v at Stamford P&DC", again, first["used_at"])
	}

	// The wrong recipient is invalid, but the label is still the used one.
	code, wrong := apiCall(t, e, staffKey, "POST", "/api/v1/indicia/verify",
		fmt.Sprintf(`{"text":%q,"piece_ref":"P-1","address":"11 elm street, beverly hills ca 90210"}`, in.Text()))
	if code != http.StatusOK || wrong["result"] != "invalid" || wrong["recipient_match"] != false || wrong["label_status"] != "used" || wrong["used_at"] != first["used_at"] {
		t.Errorf("wrong recipient on a used label: %d %v", code, wrong)
	}

	dup := verify("P-2", "Hartford")
	if dup["result"] != "duplicate" || dup["label_status"] != "used" || dup["used_at"] != first["used_at"] {
		t.Errorf("another piece: %v", dup)
	}
}

// A voided label is voided, not used: no used_at.
func TestAPIVerifyOfAVoidedLabelIsNotUsed(t *testing.T) {
	e := webtest.New(t)
	id, in := buyViaAPI(t, e)
	if code, out := apiCall(t, e, key(t, e, e.Owner, "buy_postage"), "POST", "/api/v1/labels/"+id+"/void", ""); code != http.StatusOK {
		t.Fatalf("void: %d %v", code, out)
	}
	code, out := apiCall(t, e, key(t, e, e.Users["staff"]), "POST", "/api/v1/indicia/verify", fmt.Sprintf(`{"text":%q}`, in.Text()))
	if _, used := out["used_at"]; code != http.StatusOK || out["result"] != "void" || out["label_status"] != "voided" || used {
		t.Errorf("voided label: %d %v", code, out)
	}
}
