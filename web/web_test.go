package web_test

import (
	"context"
	"encoding/json"
	"indicia/web/webtest"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v3"
)

func TestFormWithoutTheRightCSRFTokenIsRefused(t *testing.T) {
	e := webtest.New(t)
	s := e.Sessions["owner"]
	req := httptest.NewRequest("POST", "/account/api-keys", strings.NewReader(url.Values{"name": {"x"}, "_csrf": {"forged"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "indicia_session", Value: s[0]})
	resp, err := e.Srv.App.Test(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("forged CSRF token: status %d, want 403", resp.StatusCode)
	}
	keys, _ := e.Acc.ListAPIKeys(context.Background(), e.Owner)
	if len(keys) != 0 {
		t.Errorf("a key was created despite the bad token")
	}
}

func TestSecurityHeadersOnEveryPage(t *testing.T) {
	e := webtest.New(t)
	resp, err := e.Srv.App.Test(httptest.NewRequest("GET", "/login", nil))
	if err != nil {
		t.Fatal(err)
	}
	for h, want := range map[string]string{
		"Content-Security-Policy": "frame-ancestors 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "same-origin",
	} {
		if got := resp.Header.Get(h); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want it to contain %q", h, got, want)
		}
	}
	var csrfCookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "indicia_csrf" {
			csrfCookie = c
		}
	}
	if csrfCookie == nil || !csrfCookie.HttpOnly || csrfCookie.SameSite != http.SameSiteLaxMode {
		t.Errorf("CSRF cookie %+v: want HttpOnly SameSite=Lax", csrfCookie)
	}
}

func TestLoginSetsAFreshHttpOnlySessionCookie(t *testing.T) {
	e := webtest.New(t)
	resp := e.Do("anon", "POST", "/login", url.Values{"email": {"owner@example.com"}, "password": {"owner password 1"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/dashboard" {
		t.Fatalf("login: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	var sess *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "indicia_session" {
			sess = c
		}
	}
	if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode || len(sess.Value) < 40 {
		t.Fatalf("session cookie %+v", sess)
	}
	if sess.Value == e.Sessions["owner"][0] {
		t.Error("login reused an existing session ID")
	}
}

func TestSignUpFormKeepsInputAndNamesTheField(t *testing.T) {
	e := webtest.New(t)
	resp := e.Do("anon", "POST", "/signup", url.Values{"name": {"Bea"}, "company": {"Bea Co"}, "email": {"bea@example.com"},
		"password": {"a long password"}, "address_line1": {"2 Oak St"}, "city": {"Albany"}, "state": {"NY"}, "zip": {"1220"}})
	body := webtest.Body(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("sign-up with a bad ZIP: status %d", resp.StatusCode)
	}
	if !strings.Contains(body, "5-digit ZIP") || !strings.Contains(body, `value="Bea Co"`) || !strings.Contains(body, `id="zip-error"`) {
		t.Errorf("form did not keep input or name the zip field:\n%s", body)
	}
	if strings.Contains(body, "a long password") {
		t.Error("the password was echoed back into the page")
	}
}

func TestAPIAccountWithKeyAndJSONErrors(t *testing.T) {
	e := webtest.New(t)
	_, secret, err := e.Acc.CreateAPIKey(context.Background(), e.Owner, "robot", []string{"buy_postage"})
	if err != nil {
		t.Fatal(err)
	}
	call := func(key string) (*http.Response, map[string]any) {
		req := httptest.NewRequest("GET", "/api/v1/account", nil)
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		resp, err := e.Srv.App.Test(req)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp, out
	}
	resp, out := call(secret)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %v", resp.StatusCode, out)
	}
	acct := out["account"].(map[string]any)
	if acct["company"] != "Olive Mail" || acct["origin_zip"] != "06901" {
		t.Errorf("account %v", acct)
	}
	resp, out = call("ind_nope_nope")
	errObj, _ := out["error"].(map[string]any)
	if resp.StatusCode != 401 || errObj["code"] != "unauthorized" || errObj["message"] == "" {
		t.Errorf("bad key: %d %v", resp.StatusCode, out)
	}
	req := httptest.NewRequest("GET", "/api/v1/nothing-here", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	r, _ := e.Srv.App.Test(req)
	var nf map[string]map[string]string
	json.NewDecoder(r.Body).Decode(&nf)
	if r.StatusCode != 404 || nf["error"]["code"] != "not_found" {
		t.Errorf("unknown API route: %d %v", r.StatusCode, nf)
	}
}

func TestMetricsCountRequestsByRoute(t *testing.T) {
	e := webtest.New(t)
	e.Do("owner", "GET", "/dashboard", nil)
	body := e.Metrics()
	if !regexp.MustCompile(`indicia_http_requests_total\{method="GET",route="/dashboard",status="200"\} 1`).MatchString(body) {
		t.Errorf("no dashboard counter in metrics:\n%.2000s", body)
	}
	if !strings.Contains(body, `indicia_http_request_duration_seconds_bucket{method="GET",route="/dashboard"`) {
		t.Error("no latency histogram for the dashboard")
	}
}

// TestOpenAPIDescribesEveryAPIRoute fails when an /api/v1 route is missing from docs/openapi.yaml.
func TestOpenAPIDescribesEveryAPIRoute(t *testing.T) {
	b, err := os.ReadFile("../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	spec := string(b)
	e := webtest.New(t)
	n := 0
	for _, r := range e.Srv.App.GetRoutes(true) {
		if !strings.HasPrefix(r.Path, "/api/v1/") || r.Method == fiber.MethodHead {
			continue
		}
		n++
		path := regexp.MustCompile(`:(\w+)`).ReplaceAllString(strings.TrimPrefix(r.Path, "/api/v1"), "{$1}")
		block := regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(path) + `:\n((?:    .*\n|\s*\n)*)`).FindStringSubmatch(spec)
		if block == nil || !strings.Contains(block[1], "    "+strings.ToLower(r.Method)+":") {
			t.Errorf("docs/openapi.yaml lacks %s %s", r.Method, path)
		}
	}
	if n == 0 {
		t.Fatal("no API routes found")
	}
}
