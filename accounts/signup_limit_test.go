package accounts_test

import (
	"context"
	"fmt"
	"testing"

	"indicia/accounts"
	"indicia/apperr"
)

// The sign-up limit per network address is a setting.
func TestSignUpLimitPerAddressIsASetting(t *testing.T) {
	mail := &mailbox{}
	s := newService(t, accounts.Options{Mail: mail.send, BaseURL: "https://indicia.test", SignUpsPerHour: 2})
	ctx := context.Background()
	in := accounts.SignUpInput{Name: "Lim It", Company: "Limit Co", Password: "correct horse battery",
		Address: accounts.Address{Line1: "1 A St", City: "Stamford", State: "CT", ZIP: "06901"}}
	for i := range 2 {
		in.Email = fmt.Sprintf("limit%d@example.com", i)
		if _, err := s.SignUpFromWeb(ctx, in, "10.8.8.8"); err != nil {
			t.Fatalf("sign-up %d of 2: %v", i+1, err)
		}
	}
	in.Email = "limit-third@example.com"
	if _, err := s.SignUpFromWeb(ctx, in, "10.8.8.8"); apperr.KindOf(err) != apperr.KindRateLimited {
		t.Errorf("third sign-up in an hour with a limit of 2: %v, want rate limited", err)
	}
	if _, err := s.SignUpFromWeb(ctx, in, "10.8.8.9"); err != nil {
		t.Errorf("another address: %v", err)
	}
}
