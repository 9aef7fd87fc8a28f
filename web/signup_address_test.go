package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"indicia/web/webtest"
)

// The sign-up address is cleansed like a recipient: refused at the field
// at fault, the candidate ZIPs offered at the ZIP, and stored as the post
// office writes it.
func TestSignUpAddressIsCleansed(t *testing.T) {
	e := webtest.New(t)
	form := func(line1, city, state, zip string) url.Values {
		return url.Values{"name": {"Bea Example"}, "company": {"Bea Co"}, "email": {"bea@example.com"}, "password": {"a long password 1906"},
			"address_line1": {line1}, "city": {city}, "state": {state}, "zip": {zip}}
	}
	accounts := func() int {
		var n int
		if err := e.Pool.QueryRow(t.Context(), `SELECT count(*) FROM master_accounts WHERE company = 'Bea Co'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	resp := e.Do("anon", "POST", "/signup", form("Main St", "Stamford", "CT", "06901"))
	body := webtest.Body(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="address_line1-error"`) || !strings.Contains(body, "house number missing") {
		t.Fatalf("no house number: %d\n%.4000s", resp.StatusCode, body)
	}
	v := form("1 Main St", "Stamford", "CT", "06820")
	resp = e.Do("anon", "POST", "/signup", v)
	body = webtest.Body(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="zip-error"`) || !strings.Contains(body, `id="zip-choice"`) ||
		!strings.Contains(body, `name="zip_choice" value="06902"`) || !strings.Contains(body, `aria-describedby="zip-error"`) {
		t.Fatalf("another city's ZIP: %d\n%.4000s", resp.StatusCode, body)
	}
	if n := accounts(); n != 0 {
		t.Fatalf("%d accounts made from refused addresses", n)
	}
	v.Set("zip_choice", "06902")
	v.Set("city", "stamfrod") // misspelt: corrected, as for a recipient
	resp = e.Do("anon", "POST", "/signup", v)
	if body := webtest.Body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="check-email"`) {
		t.Fatalf("with the ZIP chosen: %d\n%.4000s", resp.StatusCode, body)
	}
	var line1, city, zip, origin string
	if err := e.Pool.QueryRow(t.Context(), `SELECT address_line1, city, zip, origin_zip FROM master_accounts WHERE company = 'Bea Co'`).Scan(&line1, &city, &zip, &origin); err != nil {
		t.Fatal(err)
	}
	if line1 != "1 MAIN ST" || city != "STAMFORD" || zip != "06902" || origin != "06902" {
		t.Fatalf("stored %q, %q, %q, origin %q; want the standardized address at 06902", line1, city, zip, origin)
	}
}
