package accounts_test

import (
	"context"
	"testing"

	"indicia/accounts"
	"indicia/db/dbtest"
)

func TestContactLookupsAnswerOtherPackages(t *testing.T) {
	pool := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	s, err := accounts.New(pool, rdb, accounts.Options{RedisPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	u, a := signUp(t, s, "owner@example.com")

	if ok, err := accounts.AccountExists(ctx, pool, a.ID); err != nil || !ok {
		t.Errorf("account %d exists: %v, %v", a.ID, ok, err)
	}
	if ok, err := accounts.AccountExists(ctx, pool, a.ID+1000); err != nil || ok {
		t.Errorf("unknown account exists: %v, %v", ok, err)
	}
	if email, err := accounts.OwnerEmail(ctx, pool, a.ID); err != nil || email != "owner@example.com" {
		t.Errorf("owner email %q, %v", email, err)
	}
	if email, err := accounts.OwnerEmail(ctx, pool, a.ID+1000); err != nil || email != "" {
		t.Errorf("owner of unknown account %q, %v", email, err)
	}
	company, email, err := accounts.CompanyAndOwnerEmail(ctx, pool, a.ID)
	if err != nil || company != "Ada Mail Co" || email != "owner@example.com" {
		t.Errorf("company and owner %q %q, %v", company, email, err)
	}
	if _, _, err := accounts.CompanyAndOwnerEmail(ctx, pool, a.ID+1000); err == nil {
		t.Error("company of unknown account: no error")
	}
	c, found, err := accounts.ActiveOwner(ctx, pool, a.ID)
	if err != nil || !found || c.Name != "Ada Owner" || c.Email != "owner@example.com" {
		t.Errorf("active owner %+v, %v, %v", c, found, err)
	}
	got, err := accounts.ContactsByID(ctx, pool, []int64{u.ID, 0, u.ID + 1000})
	if err != nil || len(got) != 1 || got[u.ID].Email != "owner@example.com" || got[u.ID].Name != "Ada Owner" {
		t.Errorf("contacts %v, %v", got, err)
	}
	admins, err := accounts.AdminEmails(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range admins {
		if e == "owner@example.com" {
			t.Error("an owner is listed among the admins")
		}
	}
}
