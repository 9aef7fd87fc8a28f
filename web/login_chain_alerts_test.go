package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"indicia/web/webtest"
)

// openLoginChainAlert makes an open login chain alert and gives its resolve path.
func openLoginChainAlert(e *webtest.Env) string {
	var id int64
	err := e.Pool.QueryRow(context.Background(), `INSERT INTO login_chain_alerts (broken_login_id, broken_segment, broken_seq, segment_login_id, segment, reason, detail, created_at)
		SELECT 1, n - 1, 1, n, n, 'edited', 'test', now() FROM (SELECT coalesce(max(segment), 1) + 1 AS n FROM login_chain_alerts) s RETURNING id`).Scan(&id)
	if err != nil {
		e.T.Fatal(err)
	}
	return "/admin/login-alerts/" + strconv.FormatInt(id, 10) + "/resolve"
}

func init() {
	routeCases = append(routeCases,
		routeCase{"GET", "/admin/login-alerts", fixed("/admin/login-alerts"), nil, only(see, map[string]int{"admin": ok})},
		routeCase{"POST", "/admin/login-alerts/:id/resolve", openLoginChainAlert, url.Values{"resolution": {"restored the record"}}, only(unauth, map[string]int{"admin": see})},
	)
}

func TestLoginChainBreakIsAlertedOnTheAdminPageAndResolvedOnce(t *testing.T) {
	e := webtest.New(t)
	ctx := context.Background()
	logIn := func() {
		t.Helper()
		r := e.Do("", "POST", "/login", url.Values{"email": {"owner@example.com"}, "password": {webtest.Passwords["owner"]}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("login: %d %s", r.StatusCode, webtest.Body(t, r))
		}
	}
	for range 3 {
		logIn()
	}
	var edited int64
	if err := e.Pool.QueryRow(ctx, `UPDATE login_history SET tx_payload = tx_payload || ' ' WHERE id = (SELECT max(id) FROM login_history) RETURNING id`).Scan(&edited); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		logIn()
	}
	var total, signed, segment2 int
	if err := e.Pool.QueryRow(ctx, `SELECT count(*), count(tx_seq), count(*) FILTER (WHERE tx_segment = 2) FROM login_history WHERE email = 'owner@example.com'`).
		Scan(&total, &signed, &segment2); err != nil {
		t.Fatal(err)
	}
	if total != 6 || signed != 6 || segment2 != 3 {
		t.Errorf("login records: %d, %d signed, %d in the new segment; want 6, 6, 3", total, signed, segment2)
	}

	page := webtest.Body(t, e.Do("admin", "GET", "/admin/login-alerts", nil))
	for _, want := range []string{fmt.Sprintf("#%d (segment 1, seq 3)", edited), "changed after it was signed", "1 open", `href="/admin/login-alerts"`} {
		if !strings.Contains(page, want) {
			t.Errorf("alerts page lacks %q", want)
		}
	}
	if r := e.Do("owner", "GET", "/admin/login-alerts", nil); r.StatusCode != http.StatusForbidden {
		t.Errorf("an account owner sees login chain alerts: %d", r.StatusCode)
	}
	metrics := e.Metrics()
	for _, want := range []string{`indicia_login_chain_breaks_total{reason="edited"} 1`, "indicia_login_chain_alerts_open 1"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	var alertID int64
	if err := e.Pool.QueryRow(ctx, `SELECT id FROM login_chain_alerts WHERE broken_login_id = $1`, edited).Scan(&alertID); err != nil {
		t.Fatal(err)
	}
	path := "/admin/login-alerts/" + strconv.FormatInt(alertID, 10) + "/resolve"
	r := e.Do("admin", "POST", path, url.Values{"resolution": {"  "}})
	if body := webtest.Body(t, r); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Say what you found and did.") ||
		!strings.Contains(body, `aria-describedby="resolution-`+strconv.FormatInt(alertID, 10)+`-error"`) {
		t.Errorf("resolve without a note: %d, message at the field missing", r.StatusCode)
	}
	if r := e.Do("admin", "POST", path, url.Values{"resolution": {"restored record from the nightly backup"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("resolve: %d %s", r.StatusCode, webtest.Body(t, r))
	}
	page = webtest.Body(t, e.Do("admin", "GET", "/admin/login-alerts", nil))
	if !strings.Contains(page, "by Ada Admin: restored record from the nightly backup") || !strings.Contains(page, "0 open") {
		t.Errorf("the resolved alert does not say who resolved it and how")
	}
	r = e.Do("admin", "POST", path, url.Values{"resolution": {"again"}})
	if body := webtest.Body(t, r); r.StatusCode != http.StatusConflict || !strings.Contains(body, "already been resolved") {
		t.Errorf("second resolve: %d, want 409 saying it was already resolved", r.StatusCode)
	}
	var note string
	if err := e.Pool.QueryRow(ctx, `SELECT resolution FROM login_chain_alerts WHERE id = $1`, alertID).Scan(&note); err != nil || note != "restored record from the nightly backup" {
		t.Errorf("stored resolution %q (%v) after a second resolve", note, err)
	}
}
