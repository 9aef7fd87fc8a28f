package metering

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	"indicia/db"
)

// RootFingerprint is the SHA-256 fingerprint of a PEM certificate's DER, in
// the colon-separated uppercase form `openssl x509 -fingerprint -sha256`
// prints, so an operator can compare it with the keystore's export.
func RootFingerprint(certPEM []byte) (fingerprint, subject string, err error) {
	blk, _ := pem.Decode(certPEM)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return "", "", errors.New("metering: the box's root certificate is not a PEM certificate")
	}
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return "", "", fmt.Errorf("metering: the box's root certificate: %w", err)
	}
	sum := sha256.Sum256(blk.Bytes)
	hexes := make([]string, len(sum))
	for i, b := range sum {
		hexes[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(hexes, ":"), cert.Subject.String(), nil
}

// RootMismatchError refuses a box whose vendor root is not the one the
// database was initialised with: its keys, pepper and MAC keys are another
// deployment's, so nothing stored here would verify with it.
type RootMismatchError struct {
	Stored, StoredSubject string
	RecordedAt            time.Time
	Box, BoxSubject       string
}

func (e *RootMismatchError) Error() string {
	return fmt.Sprintf("the secure box's keystore does not belong to this database: "+
		"the database was initialised on %s with the vendor root certificate %q (SHA-256 %s), "+
		"but the box holds the root %q (SHA-256 %s). "+
		"Start the box with the keystore this database was created with (BOX_KEYSTORE and its passphrase), "+
		"or point DATABASE_URL at a fresh database for this keystore",
		e.RecordedAt.UTC().Format(time.RFC3339), e.StoredSubject, e.Stored, e.BoxSubject, e.Box)
}

// CheckDeploymentRoot ties the database to the box's vendor root: the first
// call on a database records the root, every later one refuses another.
func CheckDeploymentRoot(ctx context.Context, q db.Querier, rootPEM []byte) error {
	fp, subject, err := RootFingerprint(rootPEM)
	if err != nil {
		return err
	}
	if _, err := q.Exec(ctx, `INSERT INTO deployment_root (fingerprint, subject) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`,
		fp, subject); err != nil {
		return fmt.Errorf("metering: record the deployment root: %w", err)
	}
	var stored RootMismatchError
	if err := q.QueryRow(ctx, `SELECT fingerprint, subject, recorded_at FROM deployment_root`).
		Scan(&stored.Stored, &stored.StoredSubject, &stored.RecordedAt); err != nil {
		return fmt.Errorf("metering: read the deployment root: %w", err)
	}
	if stored.Stored != fp {
		stored.Box, stored.BoxSubject = fp, subject
		return &stored
	}
	return nil
}
