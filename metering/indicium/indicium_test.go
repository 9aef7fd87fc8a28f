package indicium

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"math/big"
	"reflect"
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
	serial, err := CertSerial(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return Fields{
		MeterSerial: "IND-000123", KeyID: id, CertSerial: serial, MailingDate: time.Date(2026, 11, 30, 15, 4, 5, 0, time.UTC),
		Postage: 73, AR: 1_234_567, DR: 98_765, PieceCount: 4242, OriginZIP: "12345", DestZIP: "902101234",
		MailClass: "FCM_LETTER", Services: 0b101, RecipientHash: RecipientHash("1 ELM ST APT 2, SPRINGFIELD IL 62701"),
		Software: "INDICIA/1.0",
	}
}

// v1Fields are f as version 1 carries them.
func v1Fields(f Fields) Fields {
	f.CertSerial, f.DR, f.Software = nil, 0, ""
	return f
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
	if in.Version != Version2 {
		t.Fatalf("signed version %d, want 2", in.Version)
	}
	f.KeyID = [KeyIDSize]byte{} // version 2 names the certificate by its serial
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
		if !reflect.DeepEqual(got.Fields, want) {
			t.Fatalf("%s: fields\n got %+v\nwant %+v", name, got.Fields, want)
		}
	}
	if n := len(in.Text()); n > 230 {
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
		"version":   append([]byte{3}, b[1:]...),
		"v1 bytes":  append([]byte{1}, b[1:]...),
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
		"code":    func(f *Fields) { f.MailClass = "FCM" },
		"cert":    func(f *Fields) { f.CertSerial = nil },
		"cert0":   func(f *Fields) { f.CertSerial = []byte{0, 1} },
		"cert21":  func(f *Fields) { f.CertSerial = make([]byte, 21) },
		"sw":      func(f *Fields) { f.Software = "INDICIA" },
		"dr":      func(f *Fields) { f.DR = -1 },
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
		again, err := encode(got.Version, got.Fields)
		if err != nil || string(again) != string(got.Signed) {
			t.Fatalf("parse/encode mismatch: %v", err)
		}
	})
}

// FuzzParseText covers the scanner-facing form: whatever parses must be the
// same indicium as the bytes it names.
func FuzzParseText(f *testing.F) {
	key := newKey(f)
	in, _ := Sign(testFields(f, key), key)
	f.Add(in.Text())
	f.Add(" " + in.Text() + "==\n")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseText(s)
		if err != nil {
			return
		}
		again, err := ParseText(got.Text())
		if err != nil || !bytes.Equal(again.Bytes(), got.Bytes()) {
			t.Fatalf("text round trip changed the indicium: %v", err)
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

// Version 1 indicia, which the box no longer signs, still parse and verify.
func TestVersion1StillVerifies(t *testing.T) {
	key := newKey(t)
	f := v1Fields(testFields(t, key))
	f.MailClass = "FCM" // version 1 carries the class as text, any code
	in, err := SignV1(f, key)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseText(in.Text())
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != Version1 || got.MailClass != "FCM" || got.KeyID != f.KeyID || got.CertSerial != nil {
		t.Fatalf("parsed %+v", got)
	}
	if err := got.Verify(&key.PublicKey); err != nil {
		t.Fatal(err)
	}
}

// highS returns the twin of in's signature: (r, n−s), mathematically valid.
func highS(t testing.TB, in Indicium) Indicium {
	t.Helper()
	n := elliptic.P256().Params().N
	s := new(big.Int).SetBytes(in.Signature[32:])
	twin := in
	new(big.Int).Sub(n, s).FillBytes(twin.Signature[32:])
	return twin
}

// The box signs low-S; the high-S twin of a signature is refused with its
// own reason although the ECDSA equation holds for it.
func TestLowS(t *testing.T) {
	key := newKey(t)
	for i := range 64 { // a random s is high half of the time
		for _, sign := range []func(Fields, *ecdsa.PrivateKey) (Indicium, error){Sign, SignV1} {
			in, err := sign(testFields(t, key), key)
			if err != nil {
				t.Fatal(err)
			}
			if in.HighS() {
				t.Fatalf("signature %d is high-S", i)
			}
			twin := highS(t, in)
			if err := twin.verifyMath(&key.PublicKey); err != nil {
				t.Fatalf("the twin should satisfy ECDSA: %v", err)
			}
			if err := twin.Verify(&key.PublicKey); !errors.Is(err, ErrHighS) {
				t.Fatalf("high-S twin: got %v, want ErrHighS", err)
			}
		}
	}
}

func TestCertSerialIsEightPositiveBytes(t *testing.T) {
	for range 100 {
		s, err := CertSerial(&newKey(t).PublicKey)
		if err != nil || len(s) != 8 || s[0]&0x80 != 0 || s[0] == 0 {
			t.Fatalf("CertSerial %x, %v", s, err)
		}
		if new(big.Int).SetBytes(s).Sign() <= 0 {
			t.Fatal("serial not positive")
		}
	}
}

// The serial of certificates already issued must not change: the P-256
// shortcut hashes exactly the DER that x509 marshals.
func TestCertSerialMatchesTheDERDefinition(t *testing.T) {
	for range 20 {
		pub := &newKey(t).PublicKey
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(append([]byte("indicia meter certificate\x00"), der...))
		want := sum[:8]
		want[0] = want[0]&0x7f | 0x40
		if got, err := CertSerial(pub); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("CertSerial %x, %v; want %x", got, err, want)
		}
	}
}

func TestVersion3CarriesTheCountry(t *testing.T) {
	key := newKey(t)
	f := testFields(t, key)
	f.DestZIP, f.Country, f.MailClass = "10117", "DE", "FCMI_FLAT"
	in, err := Sign(f, key)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseText(in.Text())
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != Version3 || got.Country != "DE" || got.DestZIP != "10117" || got.MailClass != "FCMI_FLAT" || got.Software != f.Software || got.DR != f.DR {
		t.Fatalf("parsed %+v", got.Fields)
	}
	if err := got.Verify(&key.PublicKey); err != nil {
		t.Fatal(err)
	}
	// A domestic piece stays version 2, byte for byte what it was.
	dom := testFields(t, key)
	dom.Country = "US"
	a, err := Encode(dom)
	if err != nil {
		t.Fatal(err)
	}
	dom.Country = ""
	b, _ := Encode(dom)
	if a[0] != Version2 || !bytes.Equal(a, b) {
		t.Fatalf("domestic encoding %x, want version 2 as without a country %x", a, b)
	}
	// Turning the version byte of a v3 indicium into 2 must not read as a valid v2.
	bad := in.Bytes()
	bad[0] = Version2
	if p, err := Parse(bad); err == nil && p.Verify(&key.PublicKey) == nil {
		t.Fatal("a v3 indicium relabelled as v2 verified")
	}
}

func TestVersion3Refuses(t *testing.T) {
	key := newKey(t)
	for name, mod := range map[string]func(*Fields){
		"lower-case country":  func(f *Fields) { f.Country = "ca" },
		"three letters":       func(f *Fields) { f.Country = "CAN" },
		"long postal code":    func(f *Fields) { f.Country, f.DestZIP = "CA", "K1M 1M4 1234" },
		"control in postcode": func(f *Fields) { f.Country, f.DestZIP = "CA", "K1M\n1M4" },
	} {
		f := testFields(t, key)
		mod(&f)
		if _, err := Encode(f); err == nil {
			t.Errorf("%s: encoded", name)
		}
	}
	f := testFields(t, key)
	f.Country = "CA"
	f.DestZIP = ""
	if _, err := Encode(f); err != nil {
		t.Errorf("a country without postal codes: %v", err)
	}
}
