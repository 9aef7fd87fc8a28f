package indicium

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"
)

func testFields(t testing.TB, key *ecdsa.PrivateKey) Fields {
	t.Helper()
	id, err := KeyID(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return Fields{
		MeterSerial: "IND-000123", KeyID: id, MailingDate: time.Date(2026, 11, 30, 15, 4, 5, 0, time.UTC),
		Postage: 73, AR: 1_234_567, PieceCount: 4242, OriginZIP: "12345", DestZIP: "902101234",
		MailClass: "FCM", Services: 0b101, RecipientHash: RecipientHash("JANE ROE\n1 ELM ST APT 2\nSPRINGFIELD IL 62701"),
	}
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSignParseVerify(t *testing.T) {
	key := newKey(t)
	f := testFields(t, key)
	in, err := Sign(f, key)
	if err != nil {
		t.Fatal(err)
	}
	for name, parse := range map[string]func() (Indicium, error){
		"bytes": func() (Indicium, error) { return Parse(in.Bytes()) },
		"text":  func() (Indicium, error) { return ParseText(in.Text()) },
		"std": func() (Indicium, error) {
			return ParseText(strings.NewReplacer("-", "+", "_", "/").Replace(in.Text()) + "==\n")
		},
	} {
		got, err := parse()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := got.Verify(&key.PublicKey); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := f
		want.MailingDate = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC) // only the date is encoded
		if got.Fields != want {
			t.Fatalf("%s: fields\n got %+v\nwant %+v", name, got.Fields, want)
		}
	}
	if n := len(in.Text()); n > 220 {
		t.Errorf("barcode text is %d characters", n)
	}
	if err := in.Verify(&newKey(t).PublicKey); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("verified with another key: %v", err)
	}
}

// Every single flipped bit makes the indicium unreadable or invalid.
func TestFlippedBitFails(t *testing.T) {
	key := newKey(t)
	in, err := Sign(testFields(t, key), key)
	if err != nil {
		t.Fatal(err)
	}
	b := in.Bytes()
	for i := range len(b) * 8 {
		c := append([]byte(nil), b...)
		c[i/8] ^= 1 << (i % 8)
		got, err := Parse(c)
		if err == nil {
			err = got.Verify(&key.PublicKey)
		}
		if err == nil {
			t.Fatalf("bit %d flipped still verifies", i)
		}
	}
}

func TestParseRejectsMalformed(t *testing.T) {
	key := newKey(t)
	in, _ := Sign(testFields(t, key), key)
	b := in.Bytes()
	cases := map[string][]byte{
		"empty":     nil,
		"truncated": b[:len(b)-1],
		"trailing":  append(append([]byte(nil), b...), 0),
		"version":   append([]byte{2}, b[1:]...),
	}
	for name, c := range cases {
		if _, err := Parse(c); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: got %v", name, err)
		}
	}
	if _, err := ParseText("not base64!"); !errors.Is(err, ErrMalformed) {
		t.Errorf("text: got %v", err)
	}
}

func TestEncodeValidates(t *testing.T) {
	key := newKey(t)
	for name, edit := range map[string]func(*Fields){
		"origin":  func(f *Fields) { f.OriginZIP = "1234" },
		"dest":    func(f *Fields) { f.DestZIP = "12345-6789" },
		"serial":  func(f *Fields) { f.MeterSerial = "" },
		"class":   func(f *Fields) { f.MailClass = strings.Repeat("X", 256) },
		"postage": func(f *Fields) { f.Postage = -1 },
		"date":    func(f *Fields) { f.MailingDate = time.Time{} },
	} {
		f := testFields(t, key)
		edit(&f)
		if _, err := Encode(f); err == nil {
			t.Errorf("%s: encoded invalid fields", name)
		}
	}
}

func FuzzParse(f *testing.F) {
	key := newKey(f)
	in, _ := Sign(testFields(f, key), key)
	f.Add(in.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := Parse(b)
		if err != nil {
			return
		}
		// Whatever parses re-encodes to the same bytes.
		again, err := Encode(got.Fields)
		if err != nil || string(again) != string(got.Signed) {
			t.Fatalf("parse/encode mismatch: %v", err)
		}
	})
}

func TestKeyIDIsSPKIHash(t *testing.T) {
	key := newKey(t)
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(der)
	id, err := KeyID(&key.PublicKey)
	if err != nil || string(id[:]) != string(sum[:KeyIDSize]) {
		t.Fatalf("KeyID %x, want %x (%v)", id, sum[:KeyIDSize], err)
	}
}
