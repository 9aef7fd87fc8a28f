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

	"github.com/jackc/pgx/v5"

	"indicia/db"
	"indicia/metering/box"
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
	// Serial is set instead of Stored for a database that predates the
	// record: its first meter's record does not verify with the box's keys.
	Serial string
}

func (e *RootMismatchError) Error() string {
	if e.Serial != "" {
		return fmt.Sprintf("the secure box's keystore does not belong to this database: "+
			"the record of meter %s was not made with the keys of the box's root %q (SHA-256 %s). "+
			"Start the box with the keystore this database was created with (BOX_KEYSTORE and its passphrase), "+
			"or point DATABASE_URL at a fresh database for this keystore",
			e.Serial, e.BoxSubject, e.Box)
	}
	return fmt.Sprintf("the secure box's keystore does not belong to this database: "+
		"the database was initialised on %s with the vendor root certificate %q (SHA-256 %s), "+
		"but the box holds the root %q (SHA-256 %s). "+
		"Start the box with the keystore this database was created with (BOX_KEYSTORE and its passphrase), "+
		"or point DATABASE_URL at a fresh database for this keystore",
		e.RecordedAt.UTC().Format(time.RFC3339), e.StoredSubject, e.Stored, e.BoxSubject, e.Box)
}

// CheckDeploymentRoot ties the database to the box's vendor root: the first
// call on a database records the root, every later one refuses another. A
// database with meters but no recorded root (older than the record) is
// first asked whether its first meter's record verifies with this box
// (verify is the box's VerifyRecord): a MAC the box cannot make means
// another keystore, and nothing is recorded.
func CheckDeploymentRoot(ctx context.Context, q db.Querier, rootPEM []byte, verify func(context.Context, box.Record) error) error {
	fp, subject, err := RootFingerprint(rootPEM)
	if err != nil {
		return err
	}
	var recorded bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM deployment_root)`).Scan(&recorded); err != nil {
		return fmt.Errorf("metering: read the deployment root: %w", err)
	}
	if !recorded {
		m, err := scanMeter(q.QueryRow(ctx, `SELECT `+meterColumns+` FROM meters ORDER BY id LIMIT 1`))
		switch {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return fmt.Errorf("metering: first meter: %w", err)
		default:
			if verr := verify(ctx, m.Record); errors.Is(verr, box.ErrTamperMAC) {
				return &RootMismatchError{Box: fp, BoxSubject: subject, Serial: m.Record.Serial}
			}
		}
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
