package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"indicia/metering"
	"indicia/web/webtest"
)

// A tamper alert reaches the vendor admins by email at once, through the
// job queue.
func TestTamperAlertIsEmailedToTheVendorAdmins(t *testing.T) {
	e := webtest.New(t)
	e.StartWorker()
	ctx := context.Background()
	if _, err := e.Pool.Exec(ctx, `UPDATE meters SET dr = 999999 WHERE id = $1`, e.Meter.ID); err != nil {
		t.Fatal(err)
	}
	_, err := e.Metering.Purchase(ctx, e.Owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{{Postage: 78, DestZIP: "20500", MailClass: "FCM_LETTER",
		Recipient: metering.Recipient{Lines: []string{"1600 PENNSYLVANIA AVE NW"}, Standardized: "1600 PENNSYLVANIA AVE NW"}}}})
	if err == nil {
		t.Fatal("a tampered meter sold postage")
	}
	var got string
	for _, m := range e.Mail.Wait(1, 30*time.Second) {
		if len(m.To) == 1 && m.To[0] == "admin@example.com" && strings.Contains(m.Data, "TAMPER alert: meter "+e.Meter.Record.Serial) {
			got = m.Data
		}
	}
	if got == "" {
		t.Fatalf("no tamper email to the admin; mail: %+v", e.Mail.Messages())
	}
	if !strings.Contains(got, "/admin/alerts") {
		t.Errorf("the email does not say where to resolve it:\n%s", got)
	}
}

// An invitation is emailed to the invitee, and the page says so.
func TestInvitationIsEmailedToTheInvitee(t *testing.T) {
	e := webtest.New(t)
	r := e.Do("owner", "POST", "/account/users", url.Values{"name": {"Nina New"}, "email": {"nina@example.com"}, "permissions": {"buy_postage"}})
	body := webtest.Body(t, r)
	if r.StatusCode != 200 || !strings.Contains(body, "Invitation emailed to nina@example.com.") {
		t.Fatalf("invite: %d\n%s", r.StatusCode, body)
	}
	i := strings.Index(body, `<code id="invite-link">`)
	link := body[i+len(`<code id="invite-link">`):]
	link = link[:strings.Index(link, "<")]
	var mail string
	for _, m := range e.Mail.Wait(1, 10*time.Second) {
		if len(m.To) == 1 && m.To[0] == "nina@example.com" {
			mail = m.Data
		}
	}
	if mail == "" || !strings.Contains(strings.ReplaceAll(mail, "=\r\n", ""), link) {
		t.Fatalf("no invitation email with %s: %q", link, mail)
	}
}

// With the mail server down the invitation is not queued (a job's payload
// is stored, and the link is a credential): the page says so and shows the
// link to pass on by hand.
func TestInvitationWithMailDownIsNotQueued(t *testing.T) {
	e := webtest.New(t)
	e.Mail.Close()
	r := e.Do("owner", "POST", "/account/users", url.Values{"name": {"Nina New"}, "email": {"nina@example.com"}, "permissions": {"buy_postage"}})
	body := webtest.Body(t, r)
	if r.StatusCode != 200 || !strings.Contains(body, "could not be sent: send them the link below yourself") || !strings.Contains(body, `<code id="invite-link">`) {
		t.Fatalf("invite with the mail server down: %d\n%s", r.StatusCode, body)
	}
	var n int
	if err := e.Pool.QueryRow(t.Context(), `SELECT count(*) FROM jobs WHERE payload::text LIKE '%invit%' OR payload::text LIKE '%nina@%'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d jobs hold the invitation", n)
	}
}
