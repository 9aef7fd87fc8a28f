package web_test

import (
	"strings"
	"testing"
	"time"

	"indicia/email/smtptest"
	"indicia/web/webtest"
)

// With the mail server down an email is not lost: it becomes a job that the
// worker retries until the server is back.
func TestEmailIsRetriedFromTheQueueWhenSMTPIsDown(t *testing.T) {
	e := webtest.New(t)
	addr := strings.TrimPrefix(e.Mail.URL(), "smtp://")
	e.Mail.Close()
	if err := e.Acc.RequestPasswordReset(t.Context(), "owner@example.com", "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	var kind, status string
	if err := e.Pool.QueryRow(t.Context(), `SELECT kind, status FROM jobs ORDER BY id DESC LIMIT 1`).Scan(&kind, &status); err != nil {
		t.Fatalf("no job for the failed email: %v", err)
	}
	if kind != "email_send" {
		t.Fatalf("last job is %s (%s), want email_send", kind, status)
	}
	back, err := smtptest.Listen(addr, nil)
	if err != nil {
		t.Skipf("could not listen on %s again: %v", addr, err)
	}
	t.Cleanup(func() { back.Close() })
	e.StartWorker()
	mails := back.Wait(1, 30*time.Second)
	if len(mails) != 1 || mails[0].To[0] != "owner@example.com" || !strings.Contains(mails[0].Data, "/password/reset/") {
		t.Fatalf("after the server came back: %+v", mails)
	}
}
