package web_test

import (
	"net/http"
	"testing"

	"indicia/web/webtest"
)

// A preset with several bad fields is refused with every field's message at
// once, the first of them also as the error's field, as the page shows them.
func TestPresetWithSeveralBadFieldsNamesEveryField(t *testing.T) {
	e := webtest.New(t)
	k := key(t, e, e.Owner, "buy_postage")
	code, out := apiCall(t, e, k, "POST", "/api/v1/presets", `{"name":"","mail_class":"BOAT","weight_oz":0,"length":200,"services":["TELEPORT"]}`)
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("several bad fields: %d %v", code, out)
	}
	if code, first := errField(out); code != "invalid" || first != "length" || errMessage(out) == "" {
		t.Errorf("the error names %q (code %q), want the first by name, length: %v", first, code, out)
	}
	errObj, _ := out["error"].(map[string]any)
	fields, _ := errObj["fields"].(map[string]any)
	for _, f := range []string{"name", "mail_class", "weight_oz", "length", "services"} {
		if m, _ := fields[f].(string); m == "" {
			t.Errorf("no message at %s: %v", f, errObj)
		}
	}
	if len(fields) != 5 {
		t.Errorf("fields %v, want exactly the five bad ones", fields)
	}
	// One bad field: the same shape, one entry.
	code, out = apiCall(t, e, k, "POST", "/api/v1/presets", `{"name":"Box","mail_class":"PRIORITY","weight_oz":0}`)
	errObj, _ = out["error"].(map[string]any)
	if fields, _ := errObj["fields"].(map[string]any); code != http.StatusUnprocessableEntity || len(fields) != 1 || fields["weight_oz"] == nil {
		t.Errorf("one bad field: %d %v", code, out)
	}
	// Nothing was saved.
	if code, out = apiCall(t, e, k, "GET", "/api/v1/presets", ""); code != http.StatusOK || len(out["presets"].([]any)) != 0 {
		t.Fatalf("list after refusals: %d %v", code, out)
	}
}
