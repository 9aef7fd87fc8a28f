package metering

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"
)

func certPEM(t testing.TB, serial *big.Int) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: "IN000010001"},
		NotBefore: time.Now(), NotAfter: time.Now().AddDate(10, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// The serial read from the DER is the one x509 parses, whatever its size
// (a top bit set makes DER add a zero byte).
func TestMeterCertSerial(t *testing.T) {
	for _, s := range []string{"1", "7c8599b8c66fd468", "ff", "80000000000000000000000000000001", "1feeaabbccddeeff0011223344556677"} {
		n, _ := new(big.Int).SetString(s, 16)
		got := Meter{CertPEM: certPEM(t, n)}.CertSerial()
		if new(big.Int).SetBytes(got).Cmp(n) != 0 || got[0] == 0 {
			t.Errorf("serial %s: got %x", s, got)
		}
	}
	for _, bad := range []string{"", "not a certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"} {
		if got := (Meter{CertPEM: bad}).CertSerial(); got != nil {
			t.Errorf("%q: got %x", bad, got)
		}
	}
}

func BenchmarkMeterCertSerial(b *testing.B) {
	m := Meter{CertPEM: certPEM(b, big.NewInt(0x7c8599b8c66fd468))}
	for b.Loop() {
		if m.CertSerial() == nil {
			b.Fatal("no serial")
		}
	}
}
