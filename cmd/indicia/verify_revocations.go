package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"indicia/metering"
	"indicia/metering/indicium"
)

// revocationsPath is where the revocation list is cached: the --revocations
// flag, or revocations.pem beside the certificate bundle.
func revocationsPath(flagValue, certsPath string) string {
	if flagValue != "" {
		return flagValue
	}
	return filepath.Join(filepath.Dir(certsPath), "revocations.pem")
}

// revocationsURL is the list's address on the server the bundle comes from.
func revocationsURL(certsURL string) string {
	if base, _, ok := strings.Cut(certsURL, "/.well-known/"); ok {
		return base + "/.well-known/indicia/revocations"
	}
	return strings.TrimRight(certsURL, "/") + "/.well-known/indicia/revocations"
}

// fetchRevocations downloads the revocation list with the bundle, checks
// that the bundle's root signed it and saves it for later offline use. A
// list that does not verify is not saved.
func fetchRevocations(ctx context.Context, certsURL, certsPath, path string) error {
	url := revocationsURL(certsURL)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("revocation list URL: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("fetch the revocation list: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fetch the revocation list from %s: status %s", url, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("fetch the revocation list: %w", err)
	}
	crl, err := metering.ParseRevocationList(data)
	if err != nil {
		return fmt.Errorf("%s did not return a revocation list: %w", url, err)
	}
	pemData, err := os.ReadFile(certsPath)
	if err != nil {
		return fmt.Errorf("read certificates: %w", err)
	}
	certs, err := indicium.ParseCertificatesPEM(pemData)
	if err != nil {
		return fmt.Errorf("certificates %s: %w", certsPath, err)
	}
	if !signedByARoot(crl, certs) {
		return fmt.Errorf("the revocation list from %s is not signed by the vendor root of the bundle", url)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("save the revocation list: %w", err)
	}
	return os.Rename(tmp, path)
}

func signedByARoot(crl *x509.RevocationList, certs []*x509.Certificate) bool {
	for _, c := range certs {
		if c.IsCA && c.CheckSignatureFrom(c) == nil && crl.CheckSignatureFrom(c) == nil {
			return true
		}
	}
	return false
}

// checkRevocations reads the cached list and checks the indicium against
// it. A revoked label is the verdict (metering.ErrRevoked); a missing,
// foreign or expired list is an error: without it the command cannot say
// the label is valid.
func checkRevocations(in indicium.Indicium, certs []*x509.Certificate, path string, now time.Time) (verdict, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no revocation list at %s: fetch it with the certificates (--certs-url URL) or name it with --revocations FILE", path)
	}
	if err != nil {
		return nil, fmt.Errorf("read the revocation list: %w", err)
	}
	crl, err := metering.ParseRevocationList(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	switch err := metering.CheckRevocation(in, certs, crl, now); {
	case err == nil:
		return nil, nil
	case errors.Is(err, metering.ErrRevoked):
		return err, nil
	default:
		return nil, fmt.Errorf("revocation list %s: %w (fetch it again with --certs-url URL)", path, err)
	}
}

// verdictWord is the first line `indicia verify` prints.
func verdictWord(verr error) string {
	switch {
	case verr == nil:
		return "VALID"
	case errors.Is(verr, metering.ErrRevoked):
		return "REVOKED"
	}
	return "INVALID"
}
