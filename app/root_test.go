package app_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

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
