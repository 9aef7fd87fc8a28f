package indicium

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
)

type testCA struct {
	key  *ecdsa.PrivateKey
	cert *x509.Certificate
}

func newCA(t testing.TB, name string) testCA {
	t.Helper()
	key := newKey(t)
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(1, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return testCA{key, c}
}

// issue makes a meter certificate for f's meter and certificate serial.
func (ca testCA) issue(t testing.TB, f Fields, pub *ecdsa.PublicKey) *x509.Certificate {
	t.Helper()
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: new(big.Int).SetBytes(f.CertSerial), Subject: pkix.Name{CommonName: f.MeterSerial},
		NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(1, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature, SubjectKeyId: f.KeyID[:]}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, pub, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Only the pinned root anchors: a bundle that adds an attacker's root and a
// look-alike meter certificate does not make the attacker's indicium valid,
// whatever the order of the bundle.
func TestVerifyPinned(t *testing.T) {
	vendor, attacker := newCA(t, "Vendor Root"), newCA(t, "Vendor Root")
	meterKey, forgerKey := newKey(t), newKey(t)
	f := testFields(t, meterKey)
	f.MailingDate = time.Now()
	realCert := vendor.issue(t, f, &meterKey.PublicKey)
	fake := attacker.issue(t, f, &forgerKey.PublicKey) // same CN and serial, the forger's key
	pin, err := ParseFingerprint(Fingerprint(vendor.cert))
	if err != nil {
		t.Fatal(err)
	}
	genuine, err := Sign(f, meterKey)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := Sign(f, forgerKey)
	if err != nil {
		t.Fatal(err)
	}
	bundles := map[string][]*x509.Certificate{
		"vendor only":    {vendor.cert, realCert},
		"attacker first": {attacker.cert, fake, vendor.cert, realCert},
		"attacker last":  {vendor.cert, realCert, attacker.cert, fake},
	}
	for name, bundle := range bundles {
		if err := VerifyPinned(genuine, bundle, pin); err != nil {
			t.Errorf("%s: genuine indicium: %v", name, err)
		}
		if err := VerifyPinned(forged, bundle, pin); err == nil {
			t.Errorf("%s: forged indicium verified", name)
		}
	}
	// The attacker's bundle alone is refused for want of the pinned root.
	if err := VerifyPinned(forged, []*x509.Certificate{attacker.cert, fake}, pin); !errors.Is(err, ErrRootNotPinned) {
		t.Errorf("attacker's bundle: got %v, want ErrRootNotPinned", err)
	}
	// A pinned meter certificate is not a root.
	meterPin, _ := ParseFingerprint(Fingerprint(realCert))
	if err := VerifyPinned(genuine, []*x509.Certificate{vendor.cert, realCert}, meterPin); err == nil || errors.Is(err, ErrRootNotPinned) {
		t.Errorf("meter certificate pinned as root: %v", err)
	}
	// The high-S twin fails even with the right root.
	if err := VerifyPinned(highS(t, genuine), bundles["vendor only"], pin); !errors.Is(err, ErrHighS) {
		t.Errorf("high-S twin: got %v, want ErrHighS", err)
	}
}

func TestParseFingerprint(t *testing.T) {
	ca := newCA(t, "Root")
	want := Fingerprint(ca.cert)
	colons := strings.ToUpper(want[0:2])
	for i := 2; i < len(want); i += 2 {
		colons += ":" + strings.ToUpper(want[i:i+2])
	}
	for _, in := range []string{want, strings.ToUpper(want), colons, "sha256 Fingerprint=" + colons, "sha256:" + want, " " + want + "\n"} {
		fp, err := ParseFingerprint(in)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if _, err := PinnedRoot([]*x509.Certificate{ca.cert}, fp); err != nil {
			t.Fatalf("%q: %v", in, err)
		}
	}
	for _, bad := range []string{"", "abc", want[:62], want + "00", strings.Replace(want, want[:1], "g", 1)} {
		if _, err := ParseFingerprint(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
