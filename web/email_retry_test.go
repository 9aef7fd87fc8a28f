package web_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"indicia/email/smtptest"
	"indicia/web/webtest"
)

// With the mail server down a reset email is not lost: it becomes a job that
// the worker retries until the server is back. The job names the user, never
// the link (a stored payload is readable by vendor admins on /admin/jobs);
// the link mailed at last is minted then, and works.
func TestEmailIsRetriedFromTheQueueWhenSMTPIsDown(t *testing.T) {
	e := webtest.New(t)
	addr := strings.TrimPrefix(e.Mail.URL(), "smtp://")
	e.Mail.Close()
	if err := e.Acc.RequestPasswordReset(t.Context(), "owner@example.com", "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	var kind, status, payload string
	if err := e.Pool.QueryRow(t.Context(), `SELECT kind, status, payload::text FROM jobs ORDER BY id DESC LIMIT 1`).Scan(&kind, &status, &payload); err != nil {
		t.Fatalf("no job for the failed email: %v", err)
	}
	if kind != "account_link_email" {
		t.Fatalf("last job is %s (%s), want account_link_email", kind, status)
	}
	if strings.Contains(payload, "reset") && strings.Contains(payload, "/password/") || strings.Contains(payload, "http") {
		t.Fatalf("the job's payload holds the link: %s", payload)
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
	// Undo quoted-printable's soft line breaks, which may cut the link.
	body := strings.NewReplacer("=\r\n", "", "=\n", "").Replace(mails[0].Data)
	token := resetToken.FindStringSubmatch(body)
	if token == nil {
		t.Fatalf("no reset link in %q", mails[0].Data)
	}
	if _, err := e.Acc.ResetPassword(t.Context(), token[1], "a brand new passphrase 2026"); err != nil {
		t.Fatalf("the link mailed by the retry does not work: %v", err)
	}
}

var resetToken = regexp.MustCompile(`/password/reset/([A-Za-z0-9_-]{20,})`)
