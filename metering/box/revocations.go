package box

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"math/big"
	"time"
)

// Revocation is one meter certificate on the revocation list: labels it
// signed that are dated from From on no longer verify.
type Revocation struct {
	CertSerial []byte    // the meter certificate's serial number, big-endian
	From       time.Time // the revocation time carried in the list's entry
	ReasonCode int       // RFC 5280 CRLReason (CRLReasonKeyCompromise, ...)
}

// RFC 5280 CRLReason codes the revocation list uses (crypto/x509 names none).
const (
	CRLReasonKeyCompromise      = 1 // tamper, meter abuse: the key may have been used by someone else
	CRLReasonCessation          = 5 // the meter was retired
	CRLReasonPrivilegeWithdrawn = 9 // credit abuse: the postage was not paid for
)

// Validity bounds of a revocation list: a verifier refuses a list past its
// next update, so it must be republished within this time.
const (
	MinRevocationValidity = time.Minute
	MaxRevocationValidity = 31 * 24 * time.Hour
)

// SignRevocationList signs an X.509 CRL with the vendor root key: one entry
// per revoked meter certificate, valid for validity from now. The root key
// never leaves the box, so the list is signed here. Its number is the
// signing time in microseconds, which only grows.
func (b *Box) SignRevocationList(entries []Revocation, validity time.Duration) ([]byte, error) {
	if validity < MinRevocationValidity || validity > MaxRevocationValidity {
		return nil, badRequest("revocation list validity %v: want %v to %v", validity, MinRevocationValidity, MaxRevocationValidity)
	}
	list := make([]x509.RevocationListEntry, 0, len(entries))
	for i, e := range entries {
		switch {
		case len(e.CertSerial) == 0 || len(e.CertSerial) > 20:
			return nil, badRequest("revocation %d: certificate serial of %d bytes, want 1 to 20", i, len(e.CertSerial))
		case e.From.IsZero():
			return nil, badRequest("revocation %d: no revocation time", i)
		case e.ReasonCode < 0 || e.ReasonCode > 10 || e.ReasonCode == 7:
			return nil, badRequest("revocation %d: reason code %d is not an RFC 5280 CRLReason", i, e.ReasonCode)
		}
		list = append(list, x509.RevocationListEntry{SerialNumber: new(big.Int).SetBytes(e.CertSerial),
			RevocationTime: e.From.UTC(), ReasonCode: e.ReasonCode})
	}
	now := b.now()
	tmpl := &x509.RevocationList{
		Number:                    big.NewInt(now.UnixMicro()),
		ThisUpdate:                now,
		NextUpdate:                now.Add(validity),
		RevokedCertificateEntries: list,
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, b.ops.RootCert(), b.ops.RootSigner())
	if err != nil {
		return nil, fmt.Errorf("box: sign revocation list: %w", err)
	}
	return der, nil
}

// SignRevocationList asks the box to sign a revocation list; see
// Box.SignRevocationList. It returns the CRL, DER.
func (c *Client) SignRevocationList(ctx context.Context, entries []Revocation, validity time.Duration) ([]byte, error) {
	resp, err := c.call(ctx, &request{Op: opSignRevocationList, Revocations: entries, Validity: validity})
	return resp.CRL, err
}
