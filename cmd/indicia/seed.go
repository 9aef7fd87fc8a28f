package main

import (
	"context"
	"fmt"

	"indicia/accounts"
	"indicia/app"
	"indicia/apperr"
	"indicia/metering"
)

// The demo logins are printed by `make run`; they exist only where seed is run.
var demoUsers = []struct{ email, password, name, role string }{
	{"mailer@demo.indicia.test", "demo-mailer-2026", "Dana Mailer", string(accounts.RoleOwner)},
	{"postal@demo.indicia.test", "demo-postal-2026", "Pat Postal", string(accounts.RoleStaff)},
	{"admin@demo.indicia.test", "demo-admin-2026", "Ava Admin", string(accounts.RoleAdmin)},
}

func runSeed(args []string) error {
	fs := flags("seed", "Create the demo accounts (idempotent) and print their logins and a fresh demo API key.")
	if done, err := parse(fs, args); done {
		return err
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	ctx := context.Background()
	a, err := app.New(ctx, cfg, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	acc, met := a.Accounts, a.Metering
	var owner accounts.User
	for _, d := range demoUsers {
		var u accounts.User
		if d.role == string(accounts.RoleOwner) {
			u, _, err = acc.SignUp(ctx, accounts.SignUpInput{
				Name: d.name, Company: "Demo Mailing Co", Email: d.email, Password: d.password,
				Address: accounts.Address{Line1: "1 Main St", City: "Stamford", State: "CT", ZIP: "06901"},
			})
		} else {
			u, err = acc.CreateUser(ctx, accounts.System, accounts.CreateInput{Email: d.email, Name: d.name, Role: d.role, Password: d.password})
		}
		if _, isFields := apperr.AsFields(err); isFields {
			// Already there from an earlier run: log in to fetch the user.
			u, err = acc.Login(ctx, accounts.LoginAttempt{Email: d.email, Password: d.password, IP: "seed", UserAgent: "indicia seed"})
		}
		if err == nil {
			// Demo users may buy at once.
			err = acc.MarkEmailVerified(ctx, u.ID)
			u.EmailVerified = true
		}
		if err != nil {
			return fmt.Errorf("seed %s: %w", d.email, err)
		}
		if u.Role == accounts.RoleOwner {
			owner = u
		}
	}
	meters, err := met.Meters(ctx, owner, owner.AccountID)
	if err != nil {
		return err
	}
	if len(meters) == 0 {
		a, err := acc.Account(ctx, owner, owner.AccountID)
		if err != nil {
			return err
		}
		m, err := met.Provision(ctx, a.ID, a.OriginZIP)
		if err != nil {
			return fmt.Errorf("seed meter: %w", err)
		}
		if _, err := met.Credit(ctx, accounts.System, m.ID, 500_00, metering.CreditAdmin, "seed-demo-funds"); err != nil {
			return fmt.Errorf("seed funds: %w", err)
		}
		meters = append(meters, m)
	}
	_, key, err := acc.CreateAPIKey(ctx, owner, "demo key (seed)", []string{string(accounts.PermBuyPostage), string(accounts.PermManageFunds), string(accounts.PermExportReports)})
	if err != nil {
		return fmt.Errorf("seed API key: %w", err)
	}
	fmt.Println("Demo logins (password after the email):")
	for _, d := range demoUsers {
		fmt.Printf("  %-14s %-28s %s\n", accounts.Role(d.role).Label(), d.email, d.password)
	}
	fmt.Printf("Demo API key for %s:\n  %s\n", demoUsers[0].email, key)
	fmt.Printf("Demo meter %s at origin ZIP 06901, funded with $500.00 on first seed.\n", meters[0].Record.Serial)
	return nil
}
