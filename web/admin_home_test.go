package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"indicia/web/webtest"
)

// The control room counts what needs a vendor admin and links each count
// to its list.
func TestAdminControlRoomCountsAndLinks(t *testing.T) {
	e := webtest.New(t)
	ctx := context.Background()
	openAlert(e)
	openFraudSignal(e)
	if _, err := e.Pool.Exec(ctx, `INSERT INTO jobs (kind, status, created_at, updated_at) VALUES ('cleanse', 'dead', now(), now()), ('cleanse', 'queued', now(), now())`); err != nil {
		t.Fatal(err)
	}
	body := webtest.Body(t, e.Do("admin", "GET", "/admin", nil))
	row := func(label, count, href string) string {
		return `<th scope="row">` + label + `</th><td><a href="` + href + `">` + count + `</a></td>`
	}
	for _, want := range []string{
		row("active", "1", "/admin/meters"),
		row("Tamper alerts", "1", "/admin/alerts"),
		row("Payment alerts", "0", "/postal/settlement"),
		row("Indicium used twice", "1", "/postal#fraud"),
		row("Dead letters", "1", "/admin/jobs"),
		`<th scope="row">Waiting</th><td>1</td>`,
		`<p class="ok">Answering.</p>`,
		"Record-MAC key last rotated", "Next rotation due", "Key versions in the box",
		`<th scope="row">Up since</th>`, `<th scope="row">Last durable freshness write</th>`, `<th scope="row">Version</th>`,
		row("Week of "+weekStart(time.Now()).Format(time.DateOnly), "1", "/admin/users"),
		`id="signups-chart"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("control room lacks %s", want)
		}
	}
	if r := e.Do("staff", "GET", "/admin", nil); r.StatusCode != 403 {
		t.Errorf("postal staff in the control room: %d", r.StatusCode)
	}
}

func weekStart(t time.Time) time.Time {
	t = t.UTC().Truncate(24 * time.Hour)
	return t.AddDate(0, 0, -((int(t.Weekday()) + 6) % 7))
}
