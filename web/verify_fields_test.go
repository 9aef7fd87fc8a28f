package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"indicia/web/webtest"
)

// The verify page names the mail class and the extra services the indicium
// carries, instead of the class code and a hex bitmask.
func TestVerifyPageNamesClassAndServices(t *testing.T) {
	e := webtest.New(t)
	req := `{"pieces":[{"mail_class":"PRIORITY","weight_oz":32,"services":["CERTIFIED","INSURANCE"],"declared_value":15000,"recipient":{"name":"Ann Lee","address":"9 elm street, beverly hills ca 90210"}}]}`
	code, out := apiCall(t, e, key(t, e, e.Owner, "buy_postage"), "POST", "/api/v1/labels", req)
	if code != http.StatusCreated {
		t.Fatalf("buy: %d %v", code, out)
	}
	text := out["labels"].([]any)[0].(map[string]any)["indicium"].(string)
	code, page := postVerify(t, e, "staff", url.Values{"text": {text}}, nil)
	if code != http.StatusOK || verdict(page) != "VALID" {
		t.Fatalf("verify: %d %q", code, verdict(page))
	}
	for _, want := range []string{"Priority Mail (PRIORITY)", "Certified Mail, Insurance"} {
		if !strings.Contains(page, want) {
			t.Errorf("verify page lacks %q", want)
		}
	}
	// A hex bitmask as a field value (the page's random tokens may contain "0x"
	// anywhere else, so only text between tags is looked at).
	if m := regexp.MustCompile(`>\s*0x[0-9a-fA-F]+\s*<`).FindString(page); m != "" {
		t.Errorf("verify page shows a hex bitmask %q", m)
	}
}
