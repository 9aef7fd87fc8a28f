package rating

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// mailDate is a day the July 12, 2026 price list is in force.
var mailDate = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)

func embeddedRater(t testing.TB) *Rater {
	t.Helper()
	r, err := LoadEmbedded(nil)
	if err != nil {
		t.Fatalf("LoadEmbedded: %v", err)
	}
	return r
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// copyTables copies the shipped tables (without signatures) into a temp dir.
func copyTables(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"usps-2025-07-13.json", "usps-2026-07-12.json", "zip3.csv"} {
		data, err := embedded.ReadFile("tables/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func writeFile(t testing.TB, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}
