package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"indicia/accounts"
	"indicia/web/webtest"
)

// openFraudSignal stores an open fraud signal (on the first stored label, if
// any) and gives its resolve path.
func openFraudSignal(e *webtest.Env) string {
	var id int64
	err := e.Pool.QueryRow(context.Background(), `INSERT INTO fraud_signals (kind, indicium_id, detail, created_at)
		VALUES ('duplicate_use', (SELECT min(id) FROM indicia), 'seen on two pieces', now()) RETURNING id`).Scan(&id)
	if err != nil {
		e.T.Fatal(err)
	}
	return "/postal/fraud/" + strconv.FormatInt(id, 10) + "/resolve"
}

// rowOf is the table row with the given id attribute, or "".
func rowOf(body, id string) string {
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	tr := body[i:]
	return tr[:strings.Index(tr, "</tr>")]
}

func TestPostalStaffResolveAFraudSignalOnThePostalPage(t *testing.T) {
	e := webtest.New(t)
	ctx := context.Background()
	path := openFraudSignal(e)
	id := strings.Split(path, "/")[3]
	rowID := "fraud-signal-" + id

	// Vendor admins see the same list and form.
	if tr := rowOf(webtest.Body(t, e.Do("admin", "GET", "/postal", nil)), rowID); !strings.Contains(tr, "Mark resolved") {
		t.Errorf("vendor admins are not offered to resolve signal %s: %s", id, tr)
	}
	body := webtest.Body(t, e.Do("staff", "GET", "/postal?days=7", nil))
	tr := rowOf(body, rowID)
	for _, want := range []string{`action="` + path + `"`, `name="_csrf"`, `name="resolution"`, `name="days" value="7"`, "Mark resolved", "seen on two pieces"} {
		if !strings.Contains(tr, want) {
			t.Errorf("open signal row lacks %q: %s", want, tr)
		}
	}
	if !strings.Contains(body, "1 open.") {
		t.Errorf("the page does not count the open signals:\n%s", body)
	}

	// No resolution, or one too long, comes back with the message next to
	// the field, what was typed and the rest of the page.
	for res, msg := range map[string]string{"   ": "Say what you found and did.", strings.Repeat("x", 501): "Keep the resolution to 500 characters."} {
		r := e.Do("staff", "POST", path, url.Values{"resolution": {res}, "days": {"7"}})
		body := webtest.Body(t, r)
		tr := rowOf(body, rowID)
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(tr, `id="fraud-resolution-`+id+`-error"`) || !strings.Contains(tr, msg) ||
			!strings.Contains(tr, `aria-invalid="true"`) {
			t.Fatalf("resolution of %d chars: %d, want 422 with %q at the field:\n%s", len(res), r.StatusCode, msg, body)
		}
		if strings.TrimSpace(res) != "" && !strings.Contains(tr, `value="`+res+`"`) {
			t.Errorf("the re-rendered form lost what was typed")
		}
		if !strings.Contains(body, `id="volumes"`) || !strings.Contains(body, `id="days" name="days" type="text" value="7"`) {
			t.Errorf("the re-rendered page lost the volumes or the period:\n%s", body)
		}
	}
	if n, _ := e.Metering.OpenFraudSignals(ctx, accounts.System); n != 1 {
		t.Fatalf("%d open signals after refused resolves, want 1", n)
	}

	r := e.Do("staff", "POST", path, url.Values{"resolution": {"  Reprint by the mailer; warned them.  "}, "days": {"7"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/postal?days=7" {
		t.Fatalf("resolve: %d to %q, want 303 back to /postal?days=7", r.StatusCode, r.Header.Get("Location"))
	}
	if c := strings.Join(r.Header.Values("Set-Cookie"), "; "); !strings.Contains(c, "indicia_flash=") || !strings.Contains(c, "resolved") {
		t.Errorf("no notice after resolving: %q", c)
	}

	// A newer open signal is listed before the resolved one.
	newer := strings.Split(openFraudSignal(e), "/")[3]
	body = webtest.Body(t, e.Do("staff", "GET", "/postal", nil))
	tr = rowOf(body, rowID)
	if tr == "" {
		t.Fatal("the resolved signal is gone from the page")
	}
	for _, want := range []string{`class="resolved hint"`, "by Sam Staff", "Reprint by the mailer; warned them."} {
		if !strings.Contains(tr, want) {
			t.Errorf("resolved row lacks %q: %s", want, tr)
		}
	}
	if strings.Contains(tr, "Mark resolved") || !strings.Contains(body, "1 open.") {
		t.Errorf("the resolved signal still offers to be resolved: %s", tr)
	}
	if strings.Index(body, `id="fraud-signal-`+newer+`"`) > strings.Index(body, `id="`+rowID+`"`) {
		t.Error("the open signal is listed after the resolved one")
	}

	// Resolving it again is a conflict; an unknown signal is not found.
	if r := e.Do("admin", "POST", path, url.Values{"resolution": {"again"}}); r.StatusCode != http.StatusConflict {
		t.Errorf("second resolve: %d, want 409", r.StatusCode)
	}
	if r := e.Do("admin", "POST", "/postal/fraud/999999/resolve", url.Values{"resolution": {"x"}}); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown signal: %d, want 404", r.StatusCode)
	}
}
