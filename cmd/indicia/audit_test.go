package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"indicia/accounts"
	"indicia/web/webtest"
)

func TestAuditReportsALoginChainBreakUntilItsAlertIsResolved(t *testing.T) {
	e := webtest.New(t)
	ctx := context.Background()
	login := func(ip string) {
		t.Helper()
		if _, err := e.Acc.Login(ctx, accounts.LoginAttempt{Email: "owner@example.com", Password: webtest.Passwords["owner"], IP: ip, UserAgent: "t"}); err != nil {
			t.Fatal(err)
		}
	}
	run := func() (string, error) {
		t.Helper()
		var out bytes.Buffer
		err := audit(ctx, e.App, &out)
		return out.String(), err
	}
	for i := range 3 {
		login(fmt.Sprintf("10.0.0.%d", i))
	}
	if out, err := run(); err != nil || !strings.Contains(out, "logins        3 signed in 1 segments, 0 unsigned") || !strings.Contains(out, "OK: no violations") {
		t.Fatalf("audit of an unbroken chain: %v\n%s", err, out)
	}

	var edited int64
	if err := e.Pool.QueryRow(ctx, `UPDATE login_history SET tx_payload = tx_payload || ' ' WHERE id = (SELECT max(id) FROM login_history) RETURNING id`).Scan(&edited); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		login(fmt.Sprintf("10.0.1.%d", i))
	}
	out, err := run()
	if err == nil {
		t.Errorf("audit passed with an open login chain alert:\n%s", out)
	}
	for _, want := range []string{
		"logins        6 signed in 2 segments, 0 unsigned",
		fmt.Sprintf("after the break at login record #%d (segment 1, seq 3)", edited),
		"was changed after it was signed",
		"1 PROBLEMS:",
		fmt.Sprintf("login chain: login chain broken after login record #%d", edited),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("audit output lacks %q:\n%s", want, out)
		}
	}

	alerts, err := e.Acc.ChainAlerts(ctx, accounts.System, 10)
	if err != nil || len(alerts) != 1 {
		t.Fatalf("alerts: %v %v", alerts, err)
	}
	if err := e.Acc.ResolveChainAlert(ctx, accounts.System, alerts[0].ID, "record restored from backup"); err != nil {
		t.Fatal(err)
	}
	if out, err := run(); err != nil || !strings.Contains(out, "OK: no violations") || !strings.Contains(out, "resolved") {
		t.Errorf("audit after the alert was resolved: %v\n%s", err, out)
	}
}
