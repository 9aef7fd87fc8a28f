package web_test

import (
	"net/http"
	"testing"

	"indicia/web/webtest"
)

// The API refuses a recipient who moved with a machine-readable answer (the
// new address and the match), and buys to the old address only when the
// request accepts the move.
func TestAPILabelsRefuseAMovedRecipientUntilAccepted(t *testing.T) {
	e := webtest.New(t)
	loadCOAList(e, "individual,Robert,,Movewell,,12 Willow St,,,,06901,34 Aspen Rd,,,,06902,2026-07,,")
	k := key(t, e, e.Owner, "buy_postage")
	const piece = `"pieces":[{"mail_class":"FCM_LETTER","weight_oz":1,"recipient":{"name":"Bob Movewell","address":"12 Willow Street, Stamford CT 06901"}}]`
	code, out := apiCall(t, e, k, "POST", "/api/v1/labels", `{`+piece+`}`)
	errObj, _ := out["error"].(map[string]any)
	na, _ := errObj["new_address"].(map[string]any)
	if code != http.StatusConflict || errObj["code"] != "recipient_moved" || errObj["field"] != "recipient.address" ||
		na["line1"] != "34 ASPEN RD" || na["zip"] != "06902" || errObj["match_id"] == nil {
		t.Fatalf("moved recipient: %d %v", code, out)
	}
	var n int
	if err := e.Pool.QueryRow(t.Context(), `SELECT count(*) FROM indicia`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d labels bought for a moved recipient (%v)", n, err)
	}
	code, out = apiCall(t, e, k, "POST", "/api/v1/labels", `{"accept_moved":true,`+piece+`}`)
	if code != http.StatusCreated {
		t.Fatalf("accepted move: %d %v", code, out)
	}
	l := out["labels"].([]any)[0].(map[string]any)
	if d, _ := l["dest_zip"].(string); len(d) < 5 || d[:5] != "06901" {
		t.Fatalf("bought to %v, want the old address", l["dest_zip"])
	}
}
