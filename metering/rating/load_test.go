package rating

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestEmbeddedTablesVerifyWithDevKey(t *testing.T) {
	r := embeddedRater(t)
	if got := strings.Join(r.Versions(), "; "); !strings.Contains(got, "usps-2026-07-12 (effective 2026-07-12)") {
		t.Fatalf("versions: %s", got)
	}
}

func TestTamperedTableRefused(t *testing.T) {
	dir := copyTables(t)
	key := newKey(t)
	if err := SignTables(dir, key); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadDir(dir, &key.PublicKey); err != nil {
		t.Fatalf("freshly signed tables refused: %v", err)
	}
	// Flip one byte of the price list: a price in a file is now different.
	path := filepath.Join(dir, "usps-2026-07-12.json")
	data, _ := os.ReadFile(path)
	i := strings.Index(string(data), `"*": 78`)
	if i < 0 {
		t.Fatal("fixture: 78-cent letter price not found")
	}
	data[i+5] = '9' // 78 -> 98 cents
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadDir(dir, &key.PublicKey)
	if err == nil {
		t.Fatal("tampered table was loaded")
	}
	if !strings.Contains(err.Error(), "usps-2026-07-12.json") || !strings.Contains(err.Error(), "signature") {
		t.Errorf("error should name the file and the signature: %v", err)
	}
}

func TestTamperedZip3Refused(t *testing.T) {
	dir := copyTables(t)
	key := newKey(t)
	if err := SignTables(dir, key); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "zip3.csv")
	data, _ := os.ReadFile(path)
	data[len(data)-2] ^= 0x01
	os.WriteFile(path, data, 0o644)
	if _, err := LoadDir(dir, &key.PublicKey); err == nil || !strings.Contains(err.Error(), "zip3.csv") {
		t.Fatalf("tampered zip3.csv: %v", err)
	}
}

func TestWrongKeyAndMissingSignatureRefused(t *testing.T) {
	dir := copyTables(t)
	if _, err := LoadDir(dir, nil); err == nil || !strings.Contains(err.Error(), "no signature file") {
		t.Fatalf("unsigned tables: %v", err)
	}
	if err := SignTables(dir, newKey(t)); err != nil {
		t.Fatal(err)
	}
	// Signed by some key, verified against the development key: refused.
	if _, err := LoadDir(dir, nil); err == nil || !strings.Contains(err.Error(), "does not verify") {
		t.Fatalf("tables signed by another key: %v", err)
	}
}

func TestPublicKeyFromEnv(t *testing.T) {
	key := newKey(t)
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	pub, dev, err := PublicKeyFromEnv(func(string) string { return pemKey })
	if err != nil || dev || !pub.Equal(&key.PublicKey) {
		t.Fatalf("RATE_TABLE_PUBKEY not used: dev=%v err=%v", dev, err)
	}
	if _, dev, err := PublicKeyFromEnv(func(string) string { return "" }); err != nil || !dev {
		t.Fatalf("unset RATE_TABLE_PUBKEY should give the dev key: dev=%v err=%v", dev, err)
	}
	if _, _, err := PublicKeyFromEnv(func(string) string { return "junk" }); err == nil {
		t.Fatal("junk RATE_TABLE_PUBKEY accepted")
	}
	// The production key refuses the development-signed embedded tables.
	if _, err := LoadEmbedded(pub); err == nil {
		t.Fatal("embedded tables verified with a foreign key")
	}
}

// TestEffectiveDateSelection: with two versions of the letter table, the
// mailing date picks the one in force.
func TestEffectiveDateSelection(t *testing.T) {
	r := embeddedRater(t)
	letter := Piece{Class: ClassFirstClassLetter, WeightOz: 1, OriginZIP: "10001", DestZIP: "90001"}
	cases := []struct {
		date    time.Time
		cents   int64
		version string
	}{
		{time.Date(2025, 7, 13, 0, 0, 0, 0, time.UTC), 74, "usps-2025-07-13"}, // first day of July 2025 prices: $0.74
		{time.Date(2026, 7, 11, 23, 0, 0, 0, time.UTC), 74, "usps-2025-07-13"},
		{time.Date(2026, 7, 12, 0, 0, 0, 0, time.UTC), 78, "usps-2026-07-12"}, // July 2026 prices: $0.78
		{mailDate, 78, "usps-2026-07-12"},
	}
	for _, c := range cases {
		letter.Date = c.date
		q, err := r.Rate(letter)
		if err != nil {
			t.Fatalf("%s: %v", c.date, err)
		}
		if q.TotalCents != c.cents || q.TableVersion != c.version {
			t.Errorf("%s: got %d cents from %s, want %d from %s", c.date.Format(time.DateOnly), q.TotalCents, q.TableVersion, c.cents, c.version)
		}
	}
	// Without a date the rater's clock decides.
	letter.Date = time.Time{}
	q, err := r.WithClock(func() time.Time { return time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC) }).Rate(letter)
	if err != nil || q.TableVersion != "usps-2025-07-13" {
		t.Errorf("clock date: %+v %v", q, err)
	}
}

// syntheticTable is a test-only price list (made-up prices, never shipped)
// for rules the real, partial tables cannot exercise.
const syntheticTable = `{
 "version": "test-2030-01-01", "effective": "2030-01-01", "source": "test fixture",
 "dim_weight": {"min_cubic_in": 1728, "divisor": 166, "classes": ["GROUND_ADVANTAGE"], "source": "test"},
 "classes": [{"code": "GROUND_ADVANTAGE", "zoned": true, "max_weight_oz": 1120, "max_weight_source": "test",
   "breaks": {"oz": [4, 8, 12, 15.999], "lb_from": 1, "lb_to": 70},
   "rows": [{"max_oz": 4, "cents": {"4": 500}, "ref": "test"}, {"max_oz": 192, "cents": {"4": 2000}, "ref": "test"}]}]
}`

func TestDimensionalWeight(t *testing.T) {
	dir := copyTables(t)
	writeFile(t, dir, "test-2030-01-01.json", syntheticTable)
	key := newKey(t)
	if err := SignTables(dir, key); err != nil {
		t.Fatal(err)
	}
	r, err := LoadDir(dir, &key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	p := Piece{Class: ClassGroundAdvantage, WeightOz: 3, OriginZIP: "10001", DestZIP: "43215", Date: time.Date(2030, 2, 1, 0, 0, 0, 0, time.UTC)}
	// 12 x 12 x 12 = 1,728 cubic inches: not over one cubic foot, actual weight.
	p.LengthIn, p.WidthIn, p.HeightIn = 12, 12, 12
	q, err := r.Rate(p)
	if err != nil || q.TotalCents != 500 || q.BillableWeightOz != 4 {
		t.Fatalf("one cubic foot: %+v %v", q, err)
	}
	// 13 x 12 x 12 = 1,872 in3 / 166 = 11.3 -> rounded up to 12 lb.
	p.LengthIn = 13
	q, err = r.Rate(p)
	if err != nil || q.TotalCents != 2000 || q.BillableWeightOz != 192 {
		t.Fatalf("over one cubic foot: %+v %v", q, err)
	}
	// Measurements round to the nearest inch: 12.4 -> 12.
	p.LengthIn = 12.4
	if q, _ = r.Rate(p); q.BillableWeightOz != 4 {
		t.Fatalf("12.4 in should round to 12: %+v", q)
	}
}
