package accounts_test

import (
	"context"
	"testing"

	"indicia/accounts"
	"indicia/apperr"
)

func fieldOf(err error) string {
	if f, ok := apperr.AsFields(err); ok {
		for k := range f {
			return k
		}
	}
	return ""
}

// An owner defines cost codes; names and codes are unique per account
// (case-insensitively), a clerk cannot define them, and archiving keeps the
// code but stops it being charged.
func TestCostCodesLifecycle(t *testing.T) {
	ctx := context.Background()
	s := newService(t, accounts.Options{})
	owner, acct := signUp(t, s, "owner@example.com")
	other, _ := signUp(t, s, "other@example.com")
	clerk, err := s.CreateUser(ctx, accounts.System, accounts.CreateInput{Email: "clerk@example.com", Name: "Carl", Role: "mailer_user",
		Password: "clerk password 12", AccountID: acct.ID, Permissions: []string{"buy_postage"}})
	if err != nil {
		t.Fatal(err)
	}

	mkt, err := s.CreateCostCode(ctx, owner, " Marketing ", "MKT-1")
	if err != nil || mkt.Name != "Marketing" || mkt.Code != "MKT-1" {
		t.Fatalf("create: %+v %v", mkt, err)
	}
	ops, err := s.CreateCostCode(ctx, owner, "Operations", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, code, field string }{
		{"marketing", "", "name"}, {"Sales", "mkt-1", "code"}, {"", "X", "name"}, {"Legal", "HAS SPACE", "code"},
		{"Legal", "123456789012345678901", "code"},
	} {
		if _, err := s.CreateCostCode(ctx, owner, c.name, c.code); fieldOf(err) != c.field {
			t.Errorf("create %q/%q: %v, want field %s", c.name, c.code, err, c.field)
		}
	}
	if _, err := s.CreateCostCode(ctx, clerk, "Clerk's", ""); apperr.KindOf(err) != apperr.KindForbidden {
		t.Errorf("clerk created a cost code: %v", err)
	}
	// Another account's owner neither sees nor changes ours; the same name is theirs to use.
	if _, err := s.UpdateCostCode(ctx, other, mkt.ID, accounts.CostCodeInput{Name: ptr("Mine")}); apperr.KindOf(err) != apperr.KindNotFound {
		t.Errorf("other owner renamed our code: %v", err)
	}
	if _, err := s.CreateCostCode(ctx, other, "Marketing", "MKT-1"); err != nil {
		t.Errorf("other account cannot use the same name: %v", err)
	}

	// The clerk resolves by code or name, case-insensitively.
	for _, ref := range []string{"mkt-1", "MARKETING"} {
		if c, err := s.ResolveCostCode(ctx, clerk, "cost_code", ref); err != nil || c.ID != mkt.ID {
			t.Errorf("resolve %q: %+v %v", ref, c, err)
		}
	}
	if _, err := s.ResolveCostCode(ctx, clerk, "pieces[2].cost_code", "nope"); fieldOf(err) != "pieces[2].cost_code" {
		t.Errorf("unknown code: %v", err)
	}

	// Archived: kept, listed with archived, not chargeable; restored: chargeable again.
	if _, err := s.UpdateCostCode(ctx, owner, ops.ID, accounts.CostCodeInput{Archived: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ResolveCostCode(ctx, clerk, "cost_code", "operations"); fieldOf(err) != "cost_code" {
		t.Errorf("archived code charged: %v", err)
	}
	active, _ := s.CostCodes(ctx, clerk, false)
	all, _ := s.CostCodes(ctx, clerk, true)
	if len(active) != 1 || len(all) != 2 {
		t.Errorf("lists: %d active, %d all", len(active), len(all))
	}
	if c, err := s.UpdateCostCode(ctx, owner, ops.ID, accounts.CostCodeInput{Archived: ptr(false), Name: ptr("Ops")}); err != nil || c.Archived() || c.Name != "Ops" {
		t.Errorf("restore: %+v %v", c, err)
	}

	// Required: no cost code is refused at the field; optional again, none is fine.
	if _, err := s.ResolveCostCode(ctx, clerk, "cost_code", ""); err != nil {
		t.Errorf("optional: %v", err)
	}
	if err := s.SetCostCodeRequired(ctx, clerk, true); apperr.KindOf(err) != apperr.KindForbidden {
		t.Errorf("clerk changed the setting: %v", err)
	}
	if err := s.SetCostCodeRequired(ctx, owner, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ResolveCostCode(ctx, clerk, "pieces[0].cost_code", " "); fieldOf(err) != "pieces[0].cost_code" {
		t.Errorf("required, none given: %v", err)
	}

	// Limited to Marketing: Ops is refused, Marketing allowed; the choices say so.
	if err := s.SetUserCostCodes(ctx, owner, clerk.ID, []int64{mkt.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ResolveCostCode(ctx, clerk, "cost_code", "ops"); fieldOf(err) != "cost_code" {
		t.Errorf("not allowed code charged: %v", err)
	}
	if _, err := s.ResolveCostCode(ctx, owner, "cost_code", "ops"); err != nil {
		t.Errorf("owner without limits: %v", err)
	}
	ch, err := s.CostCodeChoices(ctx, clerk)
	if err != nil || !ch.Required || len(ch.Codes) != 1 || ch.Codes[0].ID != mkt.ID {
		t.Errorf("choices: %+v %v", ch, err)
	}
	// Another account's code cannot be put on the clerk.
	theirs, _ := s.CostCodes(ctx, other, false)
	if err := s.SetUserCostCodes(ctx, owner, clerk.ID, []int64{theirs[0].ID}); fieldOf(err) != "cost_codes" {
		t.Errorf("foreign code as a limit: %v", err)
	}
	if ids, _ := s.UserCostCodes(ctx, clerk.ID); len(ids) != 1 || ids[0] != mkt.ID {
		t.Errorf("limits changed by a refused call: %v", ids)
	}
}

// Requiring a cost code needs an active one, or nobody could buy.
func TestCostCodeRequiredNeedsAnActiveCode(t *testing.T) {
	ctx := context.Background()
	s := newService(t, accounts.Options{})
	owner, acct := signUp(t, s, "owner@example.com")
	if err := s.SetCostCodeRequired(ctx, owner, true); fieldOf(err) != "cost_code_required" {
		t.Errorf("required with no code: %v", err)
	}
	if req, _ := s.CostCodeRequired(ctx, acct.ID); req {
		t.Error("setting saved")
	}
}

func ptr[T any](v T) *T { return &v }
