package accounts_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/db/dbtest"
)

func newService(t *testing.T, opt accounts.Options) *accounts.Service {
	t.Helper()
	pool := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	opt.RedisPrefix = prefix
	s, err := accounts.New(pool, rdb, opt)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func signUp(t *testing.T, s *accounts.Service, email string) (accounts.User, accounts.Account) {
	t.Helper()
	u, a, err := s.SignUp(context.Background(), accounts.SignUpInput{
		Name: "Ada Owner", Company: "Ada Mail Co", Email: email, Password: "correct horse battery",
		Address: accounts.Address{Line1: "10 Elm St", City: "Stamford", State: "ct", ZIP: "06901-1234"},
	})
	if err != nil {
		t.Fatalf("sign up %s: %v", email, err)
	}
	return u, a
}

func TestSignUpCreatesAccountWithNextCustomerIDAndOriginZIP(t *testing.T) {
	s := newService(t, accounts.Options{})
	u1, a1 := signUp(t, s, "one@example.com")
	_, a2 := signUp(t, s, "two@example.com")
	if a2.CustomerID != a1.CustomerID+1 {
		t.Errorf("customer IDs %d then %d, want consecutive", a1.CustomerID, a2.CustomerID)
	}
	if a1.OriginZIP != "06901" || a1.Address.State != "CT" {
		t.Errorf("origin ZIP %q state %q, want 06901 and CT", a1.OriginZIP, a1.Address.State)
	}
	if u1.Role != accounts.RoleOwner || !u1.Can(accounts.PermManageUsers) || !u1.Can(accounts.PermBuyPostage) {
		t.Errorf("owner %+v lacks owner rights", u1)
	}
}

func TestSignUpRejectsBadInputAndWritesNothing(t *testing.T) {
	s := newService(t, accounts.Options{})
	ctx := context.Background()
	_, _, err := s.SignUp(ctx, accounts.SignUpInput{Name: "", Company: "X", Email: "not-an-email", Password: "short",
		Address: accounts.Address{Line1: "1 A St", City: "Nowhere", State: "ZZ", ZIP: "123"}})
	fields, ok := apperr.AsFields(err)
	if !ok {
		t.Fatalf("want field errors, got %v", err)
	}
	for _, f := range []string{"name", "email", "password", "state", "zip"} {
		if fields[f] == "" {
			t.Errorf("no message for field %s (got %v)", f, fields)
		}
	}
	// Nothing was written: the same email can sign up cleanly afterwards and gets the first customer ID.
	_, a := signUp(t, s, "fresh@example.com")
	if a.CustomerID != 100001 {
		t.Errorf("first customer ID %d, want 100001 (a failed sign-up consumed one)", a.CustomerID)
	}
}

func TestDuplicateEmailIsRefusedCaseInsensitively(t *testing.T) {
	s := newService(t, accounts.Options{})
	signUp(t, s, "dup@example.com")
	_, _, err := s.SignUp(context.Background(), accounts.SignUpInput{Name: "B", Company: "B", Email: "DUP@Example.com",
		Password: "another long password", Address: accounts.Address{Line1: "1 A St", City: "X", State: "NY", ZIP: "10001"}})
	fields, _ := apperr.AsFields(err)
	if fields["email"] == "" {
		t.Fatalf("duplicate email: want an email field error, got %v", err)
	}
}

func TestLoginRecordsHistoryAndLocksAfterRepeatedFailures(t *testing.T) {
	s := newService(t, accounts.Options{LoginMaxFails: 3, LoginLockout: time.Minute})
	ctx := context.Background()
	owner, _ := signUp(t, s, "lock@example.com")
	for i := 0; i < 3; i++ {
		_, err := s.Login(ctx, accounts.LoginAttempt{Email: "lock@example.com", Password: "wrong password!", IP: "10.0.0.1", UserAgent: "test"})
		if apperr.KindOf(err) != apperr.KindUnauthorized {
			t.Fatalf("attempt %d: want unauthorized, got %v", i, err)
		}
	}
	// Even the right password is refused while locked.
	_, err := s.Login(ctx, accounts.LoginAttempt{Email: "lock@example.com", Password: "correct horse battery", IP: "10.0.0.1", UserAgent: "test"})
	if apperr.KindOf(err) != apperr.KindRateLimited {
		t.Fatalf("locked account: want rate limited, got %v", err)
	}
	// The message offers waiting and the password reset, which exists.
	if ae, _ := apperr.As(err); ae == nil || ae.Message != "Too many failed attempts for this account. Try again in 1 minute. If you forgot your password, reset it at /password/forgot." {
		t.Errorf("lockout message: %v", err)
	}
	hist, err := s.LoginHistory(ctx, owner, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 4 {
		t.Fatalf("history has %d rows, want 4", len(hist))
	}
	if hist[0].Reason != "throttled" || hist[3].Reason != "bad_password" || hist[0].IP != "10.0.0.1" || hist[0].UserAgent != "test" {
		t.Errorf("history rows %+v", hist)
	}
}

func TestUnknownEmailGetsTheSameAnswerAsAWrongPassword(t *testing.T) {
	s := newService(t, accounts.Options{})
	signUp(t, s, "known@example.com")
	ctx := context.Background()
	_, e1 := s.Login(ctx, accounts.LoginAttempt{Email: "known@example.com", Password: "wrong password!", IP: "1.1.1.1"})
	_, e2 := s.Login(ctx, accounts.LoginAttempt{Email: "nobody@example.com", Password: "wrong password!", IP: "1.1.1.1"})
	if e1 == nil || e2 == nil || e1.Error() != e2.Error() {
		t.Fatalf("answers differ: %v / %v", e1, e2)
	}
}

func TestDisablingAUserEndsTheirSessionsAtOnce(t *testing.T) {
	s := newService(t, accounts.Options{})
	ctx := context.Background()
	owner, _ := signUp(t, s, "boss@example.com")
	u, token, err := s.InviteUser(ctx, owner, accounts.InviteInput{Email: "clerk@example.com", Name: "Clerk", Permissions: []string{"buy_postage"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AcceptInvite(ctx, token, "clerk password 1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AcceptInvite(ctx, token, "clerk password 2"); apperr.KindOf(err) != apperr.KindNotFound {
		t.Fatalf("second use of an invite: want not found, got %v", err)
	}
	id1, _, _ := s.Sessions.Create(ctx, u.ID)
	id2, _, _ := s.Sessions.Create(ctx, u.ID)
	if err := s.SetDisabled(ctx, owner, u.ID, true); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{id1, id2} {
		if _, err := s.Sessions.Get(ctx, id); !errors.Is(err, accounts.ErrNoSession) {
			t.Errorf("session still alive after disable: %v", err)
		}
	}
	if _, err := s.Login(ctx, accounts.LoginAttempt{Email: "clerk@example.com", Password: "clerk password 1", IP: "2.2.2.2"}); apperr.KindOf(err) != apperr.KindForbidden {
		t.Errorf("disabled user login: want forbidden, got %v", err)
	}
}

func TestAuthorizationIsCheckedInTheDomain(t *testing.T) {
	s := newService(t, accounts.Options{})
	ctx := context.Background()
	ownerA, _ := signUp(t, s, "a@example.com")
	ownerB, _ := signUp(t, s, "b@example.com")
	clerk, _, err := s.InviteUser(ctx, ownerA, accounts.InviteInput{Email: "c@example.com", Name: "C", Permissions: []string{"buy_postage"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetDisabled(ctx, ownerB, clerk.ID, true); apperr.KindOf(err) != apperr.KindNotFound {
		t.Errorf("owner of another account disabling a user: want not found, got %v", err)
	}
	if _, _, err := s.InviteUser(ctx, clerk, accounts.InviteInput{Email: "d@example.com", Name: "D"}); apperr.KindOf(err) != apperr.KindForbidden {
		t.Errorf("user without manage_users inviting: want forbidden, got %v", err)
	}
	if _, err := s.UpdateUser(ctx, clerk, ownerA.ID, accounts.UpdateInput{Name: "X"}); err == nil {
		t.Error("a clerk changed the owner")
	}
	if _, err := s.CreateUser(ctx, ownerA, accounts.CreateInput{Email: "e@example.com", Name: "E", Role: "vendor_admin", Password: "long enough pw"}); apperr.KindOf(err) != apperr.KindForbidden {
		t.Errorf("owner creating an admin: want forbidden, got %v", err)
	}
	if _, err := s.ListUsers(ctx, ownerA, ownerB.AccountID); apperr.KindOf(err) != apperr.KindForbidden {
		t.Errorf("owner listing another account: want forbidden, got %v", err)
	}
}

func TestAPIKeyIsShownOnceHashedScopedAndRevocable(t *testing.T) {
	s := newService(t, accounts.Options{})
	ctx := context.Background()
	owner, _ := signUp(t, s, "keys@example.com")
	k, secret, err := s.CreateAPIKey(ctx, owner, "shipping robot", []string{"buy_postage"})
	if err != nil {
		t.Fatal(err)
	}
	actor, err := s.AuthenticateAPIKey(ctx, secret)
	if err != nil {
		t.Fatal(err)
	}
	if actor.AccountID != owner.AccountID || !actor.Can(accounts.PermBuyPostage) || actor.Can(accounts.PermManageFunds) || actor.Can(accounts.PermManageUsers) {
		t.Errorf("key actor %+v: want buy_postage only on the owner's account", actor)
	}
	if _, err := s.AuthenticateAPIKey(ctx, secret+"x"); err == nil {
		t.Error("a modified key was accepted")
	}
	if err := s.RevokeAPIKey(ctx, owner, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AuthenticateAPIKey(ctx, secret); apperr.KindOf(err) != apperr.KindUnauthorized {
		t.Errorf("revoked key: want unauthorized, got %v", err)
	}
}

func TestChangePasswordEndsOtherSessions(t *testing.T) {
	s := newService(t, accounts.Options{})
	ctx := context.Background()
	owner, _ := signUp(t, s, "pw@example.com")
	keep, _, _ := s.Sessions.Create(ctx, owner.ID)
	other, _, _ := s.Sessions.Create(ctx, owner.ID)
	err := s.ChangePassword(ctx, owner, "wrong current pw", "a brand new password", keep)
	if f, _ := apperr.AsFields(err); f["current_password"] == "" {
		t.Fatalf("wrong current password: got %v", err)
	}
	if err := s.ChangePassword(ctx, owner, "correct horse battery", "a brand new password", keep); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sessions.Get(ctx, keep); err != nil {
		t.Errorf("current session ended: %v", err)
	}
	if _, err := s.Sessions.Get(ctx, other); !errors.Is(err, accounts.ErrNoSession) {
		t.Errorf("other session survived: %v", err)
	}
	if _, err := s.Login(ctx, accounts.LoginAttempt{Email: "pw@example.com", Password: "a brand new password", IP: "3.3.3.3"}); err != nil {
		t.Errorf("new password refused: %v", err)
	}
}

func TestSessionAbsoluteTimeout(t *testing.T) {
	now := time.Now()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s := newService(t, accounts.Options{SessionAbsolute: time.Hour, Now: clock})
	ctx := context.Background()
	owner, _ := signUp(t, s, "abs@example.com")
	id, _, _ := s.Sessions.Create(ctx, owner.ID)
	mu.Lock()
	now = now.Add(61 * time.Minute)
	mu.Unlock()
	if _, err := s.Sessions.Get(ctx, id); !errors.Is(err, accounts.ErrNoSession) {
		t.Errorf("session older than the absolute timeout still valid: %v", err)
	}
}

func TestConcurrentSignUpsGetDistinctCustomerIDs(t *testing.T) {
	s := newService(t, accounts.Options{})
	var wg sync.WaitGroup
	ids := make(chan int64, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, a, err := s.SignUp(context.Background(), accounts.SignUpInput{Name: "N", Company: "C", Email: fmt.Sprintf("c%d@example.com", i),
				Password: "long enough password", Address: accounts.Address{Line1: "1 A St", City: "X", State: "NY", ZIP: "10001"}})
			if err != nil {
				t.Error(err)
				return
			}
			ids <- a.CustomerID
		}(i)
	}
	wg.Wait()
	close(ids)
	seen := map[int64]bool{}
	for id := range ids {
		if seen[id] {
			t.Errorf("customer ID %d given twice", id)
		}
		seen[id] = true
	}
}
