package main

import (
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"indicia/metering/indicium"
)

// rootFingerprintEnv holds the pinned vendor root when --root-fingerprint
// is not given.
const rootFingerprintEnv = "INDICIA_ROOT_FINGERPRINT"

// rootPin reads the pinned root fingerprint from the flag or the
// environment. Without one the verifier would trust whatever root a bundle
// carries, so it refuses to run.
func rootPin(flagValue string, getenv func(string) string) ([sha256.Size]byte, error) {
	v := strings.TrimSpace(flagValue)
	if v == "" {
		v = strings.TrimSpace(getenv(rootFingerprintEnv))
	}
	if v == "" {
		return [sha256.Size]byte{}, errors.New("no vendor root pinned: pass --root-fingerprint SHA256 (or set " + rootFingerprintEnv +
			"); the fingerprint is shown on the server's /verify page and printed by `indicia keys fingerprint`")
	}
	return indicium.ParseFingerprint(v)
}

// checkCertsURL refuses a certificate URL that an attacker on the path
// could rewrite: https only, plain http only to this machine.
func checkCertsURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("--certs-url %q: want an https:// URL", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if strings.EqualFold(host, "localhost") {
			return nil
		}
		if ip := net.ParseIP(host); ip != nil && (ip.Equal(net.IPv4(127, 0, 0, 1)) || ip.Equal(net.IPv6loopback)) {
			return nil
		}
		return fmt.Errorf("--certs-url %q: plain http is allowed only to localhost, 127.0.0.1 or ::1; use https", raw)
	default:
		return fmt.Errorf("--certs-url %q: want an https:// URL", raw)
	}
}

// checkBundleRoot refuses a bundle that does not hold the pinned root,
// naming the roots it does hold.
func checkBundleRoot(certs []*x509.Certificate, pin [sha256.Size]byte, path string) error {
	if _, err := indicium.PinnedRoot(certs, pin); err == nil {
		return nil
	} else if !errors.Is(err, indicium.ErrRootNotPinned) {
		return err
	}
	var found []string
	for _, c := range certs {
		if c.IsCA && c.CheckSignatureFrom(c) == nil {
			found = append(found, indicium.Fingerprint(c)+" ("+c.Subject.CommonName+")")
		}
	}
	if len(found) == 0 {
		found = []string{"none"}
	}
	return fmt.Errorf("the certificate bundle %s does not hold the pinned vendor root %x; its roots: %s. "+
		"Fetch the bundle from the right server or check the fingerprint", path, pin, strings.Join(found, ", "))
}
