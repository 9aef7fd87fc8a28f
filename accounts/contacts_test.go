package accounts_test

import (
	"context"
	"testing"

	"indicia/accounts"
	"indicia/apperr"
)

func TestContactsAccountOwner(t *testing.T) {
	s := newService(t, accounts.Options{})
	u, a := signUp(t, s, "owner@example.com")
	ctx := context.Background()
	got, err := s.Contacts().AccountOwner(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Email != "owner@example.com" || got.Name != u.Name {
		t.Errorf("owner = %+v, want %s <owner@example.com>", got, u.Name)
	}
	if _, err := s.Contacts().AccountOwner(ctx, a.ID+1000); apperr.KindOf(err) != apperr.KindNotFound {
		t.Errorf("no such account: err = %v, want not found", err)
	}
}
