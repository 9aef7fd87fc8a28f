package web_test

import (
	"html"
	"regexp"
	"strings"
	"testing"

	"indicia/web/webtest"
)

// Each priced row of the rates comparison buys that class: its link opens
// the purchase form with the class, the weight, the size and the services
// of the rated piece.
func TestBuyFromTheRatesComparison(t *testing.T) {
	e := webtest.New(t)
	_, page := get(t, e, "owner", "/rates?dest_zip=90210&weight_lb=2&weight_oz=3&length=10&width=8&height=4&services=CERTIFIED")
	m := regexp.MustCompile(`<a href="([^"]+)" class="button rate-buy" id="buy-PRIORITY"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no Buy link on the Priority Mail row:\n%s", page)
	}
	_, form := get(t, e, "owner", html.UnescapeString(m[1]))
	for _, want := range []string{`<option value="PRIORITY" selected>`, `id="weight_lb" name="weight_lb" type="text" inputmode="decimal" size="5" value="2"`,
		`id="weight_oz" name="weight_oz" type="text" inputmode="decimal" size="5" value="3"`, `id="length" name="length" type="text" inputmode="decimal" size="5" value="10"`,
		`value="CERTIFIED" checked`} {
		if !strings.Contains(form, want) {
			t.Errorf("the purchase form from the Buy link lacks %s", want)
		}
	}
	// An international comparison offers no Buy link (the form takes US recipients).
	if _, page := get(t, e, "owner", "/rates?country=CA&weight_oz=1"); strings.Contains(page, "rate-buy") {
		t.Errorf("an international comparison offers Buy")
	}
}
