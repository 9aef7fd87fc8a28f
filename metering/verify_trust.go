package metering

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/apperr"
	"indicia/metering/indicium"
)

// rootKeysTTL is how long verification reuses the box's published root.
// The root is fixed for a deployment (CheckDeploymentRoot refuses a box
// with another one at start), so this only bounds how long a misconfigured
// box swap goes unnoticed by verification.
const rootKeysTTL = time.Minute

// trustCacheMax bounds each of the trust cache's maps; past it the map is
// emptied and refilled from the next verifications.
const trustCacheMax = 4096

// trustCache keeps what a verification derives from immutable inputs, so a
// scan costs one signature check instead of two certificate parses, a
// chain check and a box round trip. Parsed certificates are keyed by their
// PEM text and chain answers by the certificates' bytes and the mailing
// date: a meter whose key rotated has a new certificate, hence new keys,
// never a stale hit.
type trustCache struct {
	mu     sync.Mutex
	root   *x509.Certificate
	rootAt time.Time
	parsed map[string][]*x509.Certificate
	chains map[chainKey]error
	meters map[string][]*x509.Certificate // by meter serial
}

type chainKey struct {
	root, meter [sha256.Size]byte
	date        int64
}

// trustedRoot returns the vendor root the box publishes, parsed.
func (s *Service) trustedRoot(ctx context.Context) (*x509.Certificate, error) {
	c := &s.trust
	now := time.Now()
	c.mu.Lock()
	if c.root != nil && now.Sub(c.rootAt) < rootKeysTTL {
		r := c.root
		c.mu.Unlock()
		return r, nil
	}
	c.mu.Unlock()
	keys, err := s.box.Certificates(ctx)
	if err != nil {
		return nil, apperr.Unavailable("The secure box did not answer; try the verification again.", err)
	}
	roots, err := indicium.ParseCertificatesPEM(keys.RootCertPEM)
	if err != nil {
		return nil, fmt.Errorf("metering: vendor root: %w", err)
	}
	c.mu.Lock()
	c.root, c.rootAt = roots[0], now
	c.mu.Unlock()
	return roots[0], nil
}

// meterCertificates parses a meter's stored certificate PEM; a PEM that
// does not parse contributes nothing, as before caching.
func (s *Service) meterCertificates(pem string) []*x509.Certificate {
	c := &s.trust
	c.mu.Lock()
	certs, ok := c.parsed[pem]
	c.mu.Unlock()
	if ok {
		return certs
	}
	certs, _ = indicium.ParseCertificatesPEM([]byte(pem))
	c.mu.Lock()
	if c.parsed == nil || len(c.parsed) >= trustCacheMax {
		c.parsed = map[string][]*x509.Certificate{}
	}
	c.parsed[pem] = certs
	c.mu.Unlock()
	return certs
}

// verifyChain is indicium.VerifyChain, remembered per root, meter
// certificate and mailing date.
func (s *Service) verifyChain(root, meter *x509.Certificate, date time.Time) error {
	k := chainKey{root: sha256.Sum256(root.Raw), meter: sha256.Sum256(meter.Raw), date: date.UnixNano()}
	c := &s.trust
	c.mu.Lock()
	err, ok := c.chains[k]
	c.mu.Unlock()
	if ok {
		return err
	}
	err = indicium.VerifyChain(root, meter, date)
	c.mu.Lock()
	if c.chains == nil || len(c.chains) >= trustCacheMax {
		c.chains = map[chainKey]error{}
	}
	c.chains[k] = err
	c.mu.Unlock()
	return err
}

// meterCertsOf returns a meter's parsed certificates, and whether they came
// from the cache. A meter's certificates are written when it is made, so
// they are kept by serial; fresh reads them again (a certificate appended
// since), and a serial with no meter is read each time.
func (s *Service) meterCertsOf(ctx context.Context, serial string, fresh bool) ([]*x509.Certificate, bool, error) {
	c := &s.trust
	if !fresh {
		c.mu.Lock()
		certs, ok := c.meters[serial]
		c.mu.Unlock()
		if ok {
			return certs, true, nil
		}
	}
	var p string
	err := s.pool.QueryRow(ctx, `SELECT cert_pem FROM meters WHERE serial = $1`, serial).Scan(&p)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("metering: meter certificates: %w", err)
	}
	certs := s.meterCertificates(p)
	c.mu.Lock()
	if c.meters == nil || len(c.meters) >= trustCacheMax {
		c.meters = map[string][]*x509.Certificate{}
	}
	c.meters[serial] = certs
	c.mu.Unlock()
	return certs, false, nil
}
