package email_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"indicia/email"
	"indicia/email/smtptest"
)

func TestSMTPSendsToTheCatcher(t *testing.T) {
	srv := smtptest.Start(t)
	s, err := email.NewSMTP(srv.URL(), "Indicia <no-reply@indicia.test>")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), email.Message{To: "owner@example.com", Subject: "2 of your recipients moved", Text: "See /coa"}); err != nil {
		t.Fatal(err)
	}
	got := srv.Wait(1, 5*time.Second)
	if len(got) != 1 || got[0].To[0] != "owner@example.com" || got[0].From != "no-reply@indicia.test" {
		t.Fatalf("received %+v", got)
	}
	if !strings.Contains(got[0].Data, "Subject: 2 of your recipients moved") || !strings.Contains(got[0].Data, "See /coa") {
		t.Errorf("message:\n%s", got[0].Data)
	}
}

func TestNewSMTPRejectsBadURLs(t *testing.T) {
	for _, u := range []string{"", "http://host", "smtp://", "smtp://host:port"} {
		if _, err := email.NewSMTP(u, "a@b.c"); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
}
