package indicium

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// ErrRootNotPinned is returned when no certificate of a bundle has the
// pinned root fingerprint.
var ErrRootNotPinned = errors.New("indicium: the bundle does not hold the pinned vendor root")

// Fingerprint is the SHA-256 of the certificate's DER encoding, lowercase
// hex: the value `openssl x509 -noout -fingerprint -sha256` prints (there in
// upper case with colons).
func Fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}

// ParseFingerprint reads a SHA-256 fingerprint in hex, upper or lower case,
// with or without colons or spaces, and an optional "sha256:" or OpenSSL
// "SHA256 Fingerprint=" prefix.
func ParseFingerprint(s string) ([sha256.Size]byte, error) {
	var fp [sha256.Size]byte
	t := strings.ToLower(strings.TrimSpace(s))
	for _, p := range []string{"sha256 fingerprint=", "sha256:", "sha256="} {
		t = strings.TrimPrefix(t, p)
	}
	t = strings.NewReplacer(":", "", " ", "").Replace(t)
	b, err := hex.DecodeString(t)
	if err != nil || len(b) != sha256.Size {
		return fp, fmt.Errorf("indicium: root fingerprint %q: want the 64 hex digits of a SHA-256", s)
	}
	copy(fp[:], b)
	return fp, nil
}

// PinnedRoot returns the certificate of the bundle whose fingerprint is
// fp; it must be a self-signed CA.
func PinnedRoot(certs []*x509.Certificate, fp [sha256.Size]byte) (*x509.Certificate, error) {
	for _, c := range certs {
		if sha256.Sum256(c.Raw) != fp {
			continue
		}
		if !c.IsCA || c.CheckSignatureFrom(c) != nil {
			return nil, fmt.Errorf("indicium: the pinned certificate %x is not a self-signed CA", fp)
		}
		return c, nil
	}
	return nil, fmt.Errorf("%w (SHA-256 %x)", ErrRootNotPinned, fp)
}

// VerifyPinned is the offline check anchored only at the pinned root: every
// certificate of the bundle that names the indicium's meter is tried
// against that root, and any other self-signed certificate in the bundle is
// ignored.
func VerifyPinned(in Indicium, certs []*x509.Certificate, fp [sha256.Size]byte) error {
	_, _, err := PinnedChain(in, certs, fp)
	return err
}

// PinnedChain is VerifyPinned that also returns the pinned root and the
// meter certificate the indicium verified with, so later checks (the
// revocation list) trust exactly that chain and nothing else the bundle holds.
func PinnedChain(in Indicium, certs []*x509.Certificate, fp [sha256.Size]byte) (root, meter *x509.Certificate, err error) {
	root, err = PinnedRoot(certs, fp)
	if err != nil {
		return nil, nil, err
	}
	candidates := FindMeterCertificates(in, certs)
	if len(candidates) == 0 {
		_, err := FindMeterCertificate(in, certs)
		return nil, nil, err
	}
	var last error
	for _, c := range candidates {
		if last = VerifyWithCertificates(in, root, c); last == nil {
			return root, c, nil
		}
	}
	return nil, nil, last
}
