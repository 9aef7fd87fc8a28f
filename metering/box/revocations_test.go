package box

import (
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"indicia/metering/indicium"
)

// The box signs a revocation list with the vendor root key: it parses as an
// X.509 CRL, its signature verifies with the published root certificate,
// and each entry carries the meter certificate's serial, the revocation
// time and the reason.
func TestSignRevocationListVerifiesWithTheRoot(t *testing.T) {
	e := newEnv(t, time.Now())
	c, _ := e.start(t)
	_, certPEM, err := c.CreateMeter(ctx, "REV-1", "MFG-REV-1", 42)
	if err != nil {
		t.Fatal(err)
	}
	meters, err := indicium.ParseCertificatesPEM(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	roots := vendorRoots(t, c)
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	der, err := c.SignRevocationList(ctx, []Revocation{{CertSerial: meters[0].SerialNumber.Bytes(), From: from, ReasonCode: CRLReasonKeyCompromise}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	if err := crl.CheckSignatureFrom(roots[0]); err != nil {
		t.Fatalf("the list does not verify with the vendor root: %v", err)
	}
	if len(crl.RevokedCertificateEntries) != 1 {
		t.Fatalf("%d entries, want 1", len(crl.RevokedCertificateEntries))
	}
	got := crl.RevokedCertificateEntries[0]
	if got.SerialNumber.Cmp(meters[0].SerialNumber) != 0 || !got.RevocationTime.Equal(from) || got.ReasonCode != CRLReasonKeyCompromise {
		t.Errorf("entry %v from %v reason %d, want %v from %v reason %d", got.SerialNumber, got.RevocationTime, got.ReasonCode,
			meters[0].SerialNumber, from, CRLReasonKeyCompromise)
	}
	if d := crl.NextUpdate.Sub(crl.ThisUpdate); d != time.Hour {
		t.Errorf("valid for %v, want 1h", d)
	}
	// Another root does not vouch for it.
	other, err := NewKeystore(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := crl.CheckSignatureFrom(other.RootCert); err == nil {
		t.Error("the list verifies with another vendor's root")
	}
	// An empty list is a list too: nothing revoked.
	if der, err = c.SignRevocationList(ctx, nil, time.Hour); err != nil {
		t.Fatal(err)
	}
	if crl2, err := x509.ParseRevocationList(der); err != nil || crl2.CheckSignatureFrom(roots[0]) != nil || crl2.Number.Cmp(crl.Number) <= 0 {
		t.Errorf("empty list: %v, number not above the last one's", err)
	}
}

// The box refuses entries it cannot sign honestly.
func TestSignRevocationListRefusesBadEntries(t *testing.T) {
	e := newEnv(t, time.Now())
	c, _ := e.start(t)
	now := time.Now()
	for name, c2 := range map[string]struct {
		entries  []Revocation
		validity time.Duration
	}{
		"no serial":      {[]Revocation{{From: now, ReasonCode: 1}}, time.Hour},
		"no time":        {[]Revocation{{CertSerial: []byte{1}, ReasonCode: 1}}, time.Hour},
		"unknown reason": {[]Revocation{{CertSerial: []byte{1}, From: now, ReasonCode: 7}}, time.Hour},
		"valid too long": {nil, 400 * 24 * time.Hour},
		"valid 0":        {nil, 0},
	} {
		if _, err := c.SignRevocationList(ctx, c2.entries, c2.validity); !errors.Is(err, ErrBadRequest) {
			t.Errorf("%s: %v, want a bad request", name, err)
		}
	}
}
