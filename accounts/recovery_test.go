package accounts_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"indicia/accounts"
	"indicia/apperr"
)

type sentMail struct{ To, Subject, Body string }

type mailbox struct {
	mu   sync.Mutex
	msgs []sentMail
}

func (m *mailbox) send(_ context.Context, to, subject, body string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.msgs = append(m.msgs, sentMail{to, subject, body})
	return nil
}

func (m *mailbox) all() []sentMail {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]sentMail(nil), m.msgs...)
}

var linkRe = regexp.MustCompile(`https?://\S+/(password/reset|verify-email)/([A-Za-z0-9_-]+)`)

func linkToken(t *testing.T, body string) string {
	t.Helper()
	m := linkRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no link in email:\n%s", body)
	}
	return m[2]
}

func TestCommonPasswordsAreRefused(t *testing.T) {
	s := newService(t, accounts.Options{})
	for _, pw := range []string{"password12", "Password2024!", "qwertyuiop", "iloveyou123"} {
		_, _, err := s.SignUp(context.Background(), accounts.SignUpInput{Name: "Ada", Company: "Ada Co", Email: "ada@example.com", Password: pw,
			Address: accounts.Address{Line1: "1 A St", City: "Stamford", State: "CT", ZIP: "06901"}})
		f, _ := apperr.AsFields(err)
		if !strings.Contains(f["password"], "common, leaked passwords") {
			t.Errorf("%q: %v, want a password field error naming the leaked-password list", pw, err)
		}
	}
	signUp(t, s, "fine@example.com") // "correct horse battery" is not on the list
}

// A stranger's wrong guesses lock out the stranger's address, not the owner;
// a guess spread over many addresses slows unfamiliar addresses only.
func TestLockoutIsPerAccountAndAddress(t *testing.T) {
	s := newService(t, accounts.Options{LoginMaxFails: 3, LoginLockout: time.Minute})
	ctx := context.Background()
	signUp(t, s, "own@example.com")
	login := func(pw, ip string) error {
		_, err := s.Login(ctx, accounts.LoginAttempt{Email: "own@example.com", Password: pw, IP: ip})
		return err
	}
	if err := login("correct horse battery", "10.0.0.9"); err != nil {
		t.Fatal(err) // the owner's usual address
	}
	for range 3 {
		login("wrong password!", "203.0.113.1")
	}
	if err := login("correct horse battery", "203.0.113.1"); apperr.KindOf(err) != apperr.KindRateLimited || !strings.Contains(err.Error(), "/password/forgot") {
		t.Errorf("the guessing address: %v, want locked with the reset link", err)
	}
	if err := login("correct horse battery", "10.0.0.9"); err != nil {
		t.Errorf("the owner from their own address was locked out by a stranger: %v", err)
	}
	// Many addresses, a few guesses each: past 4 × 3 failures the account is under attack.
	for i := range 12 {
		login("wrong password!", fmt.Sprintf("198.51.100.%d", i))
	}
	if err := login("wrong password!", "192.0.2.7"); apperr.KindOf(err) != apperr.KindUnauthorized {
		t.Fatalf("first attempt from a new address: %v", err)
	}
	if err := login("correct horse battery", "192.0.2.7"); apperr.KindOf(err) != apperr.KindRateLimited {
		t.Errorf("second attempt within a minute from an unfamiliar address during an attack: %v, want rate limited", err)
	}
	if err := login("correct horse battery", "10.0.0.9"); err != nil {
		t.Errorf("the owner's known address during an attack: %v", err)
	}
}

func TestPasswordResetByEmailedOneTimeLink(t *testing.T) {
	mail := &mailbox{}
	now := time.Now()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s := newService(t, accounts.Options{Mail: mail.send, BaseURL: "https://indicia.test/", LoginMaxFails: 2, Now: clock})
	ctx := context.Background()
	owner, _ := signUp(t, s, "reset@example.com")
	sid, _, err := s.Sessions.Create(ctx, owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		s.Login(ctx, accounts.LoginAttempt{Email: "reset@example.com", Password: "wrong password!", IP: "10.1.1.1"})
	}
	// An unknown address gets the same answer and no email.
	if err := s.RequestPasswordReset(ctx, "nobody@example.com", "10.1.1.1"); err != nil {
		t.Fatal(err)
	}
	if err := s.RequestPasswordReset(ctx, "Reset@Example.com", "10.1.1.1"); err != nil {
		t.Fatal(err)
	}
	msgs := mail.all()
	if len(msgs) != 1 || msgs[0].To != "reset@example.com" || !strings.Contains(msgs[0].Body, "https://indicia.test/password/reset/") {
		t.Fatalf("emails %+v, want one reset link to the owner", msgs)
	}
	token := linkToken(t, msgs[0].Body)
	if _, err := s.PasswordResetUser(ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ResetPassword(ctx, token, "password12"); err == nil {
		t.Error("a common password was accepted on reset")
	}
	u, err := s.ResetPassword(ctx, token, "a brand new passphrase")
	if err != nil || u.ID != owner.ID {
		t.Fatalf("reset: %+v %v", u, err)
	}
	if _, err := s.Sessions.Get(ctx, sid); err == nil {
		t.Error("a session from before the reset is still valid")
	}
	if _, err := s.ResetPassword(ctx, token, "another new passphrase"); apperr.KindOf(err) != apperr.KindNotFound {
		t.Errorf("second use of the link: %v, want refused", err)
	}
	// The lockout from 10.1.1.1 ended with the reset; the new password works there.
	if _, err := s.Login(ctx, accounts.LoginAttempt{Email: "reset@example.com", Password: "a brand new passphrase", IP: "10.1.1.1"}); err != nil {
		t.Errorf("login with the new password: %v", err)
	}
	// A link older than an hour is refused.
	s.RequestPasswordReset(ctx, "reset@example.com", "10.1.1.1")
	old := linkToken(t, mail.all()[1].Body)
	mu.Lock()
	now = now.Add(61 * time.Minute)
	mu.Unlock()
	if _, err := s.ResetPassword(ctx, old, "yet another passphrase"); apperr.KindOf(err) != apperr.KindNotFound {
		t.Errorf("an expired link: %v, want refused", err)
	}
}

func TestSignUpAnswersTheSameForAnExistingEmailAndVerifies(t *testing.T) {
	mail := &mailbox{}
	s := newService(t, accounts.Options{Mail: mail.send, BaseURL: "https://indicia.test"})
	ctx := context.Background()
	in := accounts.SignUpInput{Name: "Nia New", Company: "Nia Co", Email: "nia@example.com", Password: "correct horse battery",
		Address: accounts.Address{Line1: "1 A St", City: "Stamford", State: "CT", ZIP: "06901"}}
	first, err := s.SignUpFromWeb(ctx, in, "10.2.2.2")
	if err != nil || !first.Created || first.User.EmailVerified {
		t.Fatalf("new sign-up: %+v %v", first, err)
	}
	again, err := s.SignUpFromWeb(ctx, in, "10.2.2.3")
	if err != nil || again.Created {
		t.Fatalf("sign-up with a taken email: %+v %v, want no error and nothing created", again, err)
	}
	msgs := mail.all()
	if len(msgs) != 2 || !strings.Contains(msgs[0].Body, "/verify-email/") || !strings.Contains(msgs[1].Subject, "tried to sign up") {
		t.Fatalf("emails %+v, want a confirmation link, then a notice to the owner", msgs)
	}
	if err := accounts.RequireVerifiedEmail(first.User); apperr.KindOf(err) != apperr.KindForbidden || !strings.Contains(err.Error(), accounts.VerifyPath) {
		t.Errorf("an unverified owner buying: %v", err)
	}
	u, err := s.VerifyEmail(ctx, linkToken(t, msgs[0].Body))
	if err != nil || !u.EmailVerified || accounts.RequireVerifiedEmail(u) != nil {
		t.Fatalf("verify: %+v %v", u, err)
	}
	// Throttled per address.
	for i := range 5 {
		in.Email = fmt.Sprintf("many%d@example.com", i)
		s.SignUpFromWeb(ctx, in, "10.9.9.9")
	}
	in.Email = "one-too-many@example.com"
	if _, err := s.SignUpFromWeb(ctx, in, "10.9.9.9"); apperr.KindOf(err) != apperr.KindRateLimited {
		t.Errorf("sixth sign-up in an hour from one address: %v, want rate limited", err)
	}
}
