package web_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"indicia/web/webtest"
)

// A job's page announces its progress as a percentage and, while the job
// runs, reloads itself without JavaScript; a finished job's page stays put.
func TestJobPageAnnouncesProgressAndRefreshesWithoutJavaScript(t *testing.T) {
	e := webtest.New(t)
	path := ownerJob("/jobs/:id")(e)
	body := webtest.Body(t, e.Do("owner", "GET", path, nil))
	if !strings.Contains(body, `<noscript><meta http-equiv="refresh" content="5"></noscript>`) {
		t.Errorf("a running job's page does not refresh itself:\n%s", body)
	}
	live := regexp.MustCompile(`<p id="job-live" role="status" aria-live="polite"><span id="job-percent">0% done</span>`)
	if !live.MatchString(body) {
		t.Errorf("no live progress line with the percentage:\n%s", body)
	}
	id := strings.TrimPrefix(path, "/jobs/")
	if _, err := e.Pool.Exec(context.Background(), `UPDATE jobs SET status = 'dead' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	body = webtest.Body(t, e.Do("owner", "GET", path, nil))
	if strings.Contains(body, `http-equiv="refresh"`) {
		t.Errorf("a finished job's page still refreshes itself")
	}
}

// A refused field is marked invalid for screen readers and points at its
// message, which is on the page; every message of the form shows at once.
func TestFieldErrorsAreTiedToTheirFields(t *testing.T) {
	e := webtest.New(t)
	resp := e.Do("anon", "POST", "/signup", url.Values{"email": {"not an email"}, "password": {"short"}, "company": {"Hopper Freight"}})
	body := webtest.Body(t, resp)
	if resp.StatusCode != 422 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, field := range []string{"email", "password", "name"} {
		input := regexp.MustCompile(`<input id="` + field + `"[^>]*>`).FindString(body)
		if !strings.Contains(input, `aria-invalid="true"`) || !strings.Contains(input, `aria-describedby="`+field+`-error"`) {
			t.Errorf("%s input: %s", field, input)
		}
		if !regexp.MustCompile(`<p class="field-error" id="` + field + `-error">[^<]+</p>`).MatchString(body) {
			t.Errorf("no message %s-error on the page", field)
		}
	}
	// A field without a message carries neither attribute.
	if input := regexp.MustCompile(`<input id="company"[^>]*>`).FindString(body); input == "" || strings.Contains(input, "aria-invalid") {
		t.Errorf("company is not refused but reads %s", input)
	}
}
