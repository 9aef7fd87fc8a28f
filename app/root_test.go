package app_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"indicia/accounts"
	"indicia/app"
	"indicia/db/dbtest"
	"indicia/metering"
	"indicia/metering/meteringtest"
)

// A database initialised with one box's keystore refuses another box, and
// says which roots differ and what to do; the box it was made with still
// starts.
func TestNewRefusesAnotherBoxsRoot(t *testing.T) {
	pool := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	cfg := testConfig(t, map[string]string{"REDIS_PREFIX": prefix, "INDICIA_VAR": t.TempDir()})
	ctx := context.Background()
	first, second := meteringtest.Start(t), meteringtest.Start(t)
	rootFP := func(b *meteringtest.Box) string {
		keys, err := b.Client.Certificates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		fp, _, err := metering.RootFingerprint(keys.RootCertPEM)
		if err != nil {
			t.Fatal(err)
		}
		return fp
	}
	firstFP, secondFP := rootFP(first), rootFP(second)
	if firstFP == secondFP {
		t.Fatal("two keystores share a root")
	}

	a, err := app.New(ctx, cfg, app.Options{Pool: pool, Redis: rdb, Box: first.Client})
	if err != nil {
		t.Fatal(err)
	}
	a.Close()

	for _, partial := range []bool{false, true} {
		_, err = app.New(ctx, cfg, app.Options{Pool: pool, Redis: rdb, Box: second.Client, Partial: partial})
		var mm *metering.RootMismatchError
		if !errors.As(err, &mm) {
			t.Fatalf("partial=%v: another box's keystore was accepted: %v", partial, err)
		}
		for _, want := range []string{firstFP, secondFP, "keystore this database was created with", "fresh database"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("partial=%v: the refusal does not say %q:\n%v", partial, want, err)
			}
		}
	}

	a, err = app.New(ctx, cfg, app.Options{Pool: pool, Redis: rdb, Box: first.Client})
	if err != nil {
		t.Fatalf("the database's own box was refused: %v", err)
	}
	a.Close()
}

// A database from before the root was recorded, whose meters another
// keystore made, is refused with the meter named; its own box records the
// root and starts.
func TestNewRefusesAnotherBoxOnAnUnrecordedDatabase(t *testing.T) {
	pool := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	cfg := testConfig(t, map[string]string{"REDIS_PREFIX": prefix, "INDICIA_VAR": t.TempDir()})
	ctx := context.Background()
	first, second := meteringtest.Start(t), meteringtest.Start(t)
	a, err := app.New(ctx, cfg, app.Options{Pool: pool, Redis: rdb, Box: first.Client})
	if err != nil {
		t.Fatal(err)
	}
	_, acct, err := a.Accounts.SignUp(ctx, accounts.SignUpInput{Name: "Olive Owner", Company: "Olive Mail", Email: "owner@example.com",
		Password: "a long enough password 1", Address: accounts.Address{Line1: "1 Main St", City: "Stamford", State: "CT", ZIP: "06901"}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := a.Metering.Provision(ctx, acct.ID, acct.OriginZIP)
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	if _, err := pool.Exec(ctx, `DELETE FROM deployment_root`); err != nil {
		t.Fatal(err)
	}

	_, err = app.New(ctx, cfg, app.Options{Pool: pool, Redis: rdb, Box: second.Client})
	var mm *metering.RootMismatchError
	if !errors.As(err, &mm) || !strings.Contains(err.Error(), "meter "+m.Record.Serial) || !strings.Contains(err.Error(), "fresh database") {
		t.Fatalf("another keystore on a database without a recorded root: %v", err)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM deployment_root`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the refused box's root was recorded: %d rows, %v", n, err)
	}
	a, err = app.New(ctx, cfg, app.Options{Pool: pool, Redis: rdb, Box: first.Client})
	if err != nil {
		t.Fatalf("the database's own box was refused: %v", err)
	}
	a.Close()
	if _, err = app.New(ctx, cfg, app.Options{Pool: pool, Redis: rdb, Box: second.Client}); !errors.As(err, &mm) || mm.Stored == "" {
		t.Fatalf("after its own box recorded the root, another box: %v", err)
	}
}

// The fingerprint is the one openssl prints, so an operator can compare it
// with the keystore's exported root.
func TestRootFingerprintMatchesOpenSSL(t *testing.T) {
	if _, _, err := metering.RootFingerprint([]byte("not a certificate")); err == nil {
		t.Error("a fingerprint of something that is not a certificate")
	}
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl is not installed: nothing to compare with")
	}
	keys, err := meteringtest.Start(t).Client.Certificates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "root.pem")
	if err := os.WriteFile(f, keys.RootCertPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(openssl, "x509", "-noout", "-fingerprint", "-sha256", "-in", f).Output()
	if err != nil {
		t.Fatal(err)
	}
	fp, subject, err := metering.RootFingerprint(keys.RootCertPEM)
	if err != nil {
		t.Fatal(err)
	}
	_, want, _ := strings.Cut(strings.TrimSpace(string(out)), "=")
	if fp != want || subject == "" {
		t.Errorf("fingerprint %q (subject %q), openssl says %q", fp, subject, want)
	}
}
