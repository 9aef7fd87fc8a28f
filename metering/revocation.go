package metering

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/db"
	"indicia/metering/box"
	"indicia/metering/indicium"
)

// ResultRevoked is the verdict for an authentic label dated on or after its
// meter certificate's revocation time.
const ResultRevoked VerifyResult = "revoked"

// RevocationListValidity is how long a signed revocation list is valid
// (its NextUpdate): verifiers refuse an older list, so a cached copy is
// good for at most this long. Serve re-signs well before it runs out.
const RevocationListValidity = 24 * time.Hour

// ErrRevoked is the offline verdict for a label its meter's revoked
// certificate signed on or after the revocation time.
var ErrRevoked = errors.New("metering: the meter certificate is revoked")

// The choices of when a revoking suspension or retirement takes effect.
const (
	RevokeNow  = "now"   // labels dated from today on
	RevokeDate = "date"  // labels dated from a chosen earlier day on
	RevokeAll  = "first" // every label, from the first
)

// RevokeFrom says from when a suspension or retirement that revokes the
// meter's certificate revokes it. The zero value revokes from now.
type RevokeFrom struct {
	Mode string // RevokeNow ("" too), RevokeDate or RevokeAll
	Date string // YYYY-MM-DD, for RevokeDate
}

// Revocation is a revoked meter certificate as verifiers see it.
type Revocation struct {
	Serial      string
	CertSerial  []byte
	RevokedFrom time.Time
	Reason      string
}

// revokes reports whether a status change revokes the meter's certificate,
// and the RFC 5280 reason it carries in the list. An inspection (or funds)
// suspension only stops the meter: what it printed was paid for and
// nothing suggests its key was misused.
func revokes(status, reason string) (int, bool) {
	switch {
	case status == box.StatusRetired:
		return box.CRLReasonCessation, true
	case status != box.StatusSuspended:
		return 0, false
	case reason == box.ReasonCreditAbuse:
		return box.CRLReasonPrivilegeWithdrawn, true
	case reason == box.ReasonMeterAbuse, reason == box.ReasonTamper:
		return box.CRLReasonKeyCompromise, true
	}
	return 0, false
}

// LabelRevoked decides whether a label dated mailingDate is revoked by a
// revocation from revokedFrom. A label's date is a whole UTC day: it is
// dated before the revocation only when that whole day ends at or before
// the revocation time, so a label dated the day of the revocation is
// revoked. Offline verifiers apply the same rule to the list's entries.
func LabelRevoked(mailingDate, revokedFrom time.Time) bool {
	y, m, d := mailingDate.UTC().Date()
	end := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1)
	return end.After(revokedFrom)
}

// SuspendRevoking suspends a meter; for credit abuse, meter abuse or
// tamper it also revokes the meter's certificate from the time rf names, in
// the same transaction as the status change.
func (s *Service) SuspendRevoking(ctx context.Context, actor accounts.User, meterID int64, reason string, rf RevokeFrom) (Meter, error) {
	switch reason {
	case box.ReasonInsufficientFunds, box.ReasonInspection, box.ReasonCreditAbuse, box.ReasonMeterAbuse, box.ReasonTamper:
	default:
		return Meter{}, apperr.Invalid("reason", "Choose a suspension reason from the list.")
	}
	return s.changeStatusRevoking(ctx, actor, meterID, box.StatusSuspended, reason, rf,
		[]string{box.StatusActive, box.StatusRegistered, box.StatusSuspended})
}

// RetireRevoking retires a meter for good and revokes its certificate from
// the time rf names.
func (s *Service) RetireRevoking(ctx context.Context, actor accounts.User, meterID int64, rf RevokeFrom) (Meter, error) {
	return s.changeStatusRevoking(ctx, actor, meterID, box.StatusRetired, "", rf,
		[]string{box.StatusManufactured, box.StatusRegistered, box.StatusActive, box.StatusSuspended})
}

func (s *Service) changeStatusRevoking(ctx context.Context, actor accounts.User, meterID int64, status, reason string, rf RevokeFrom, from []string) (Meter, error) {
	if _, revoke := revokes(status, reason); !revoke {
		return s.setStatus(ctx, actor, meterID, status, reason, from, nil)
	}
	if err := rf.check(); err != nil {
		return Meter{}, err
	}
	return s.setStatus(ctx, actor, meterID, status, reason, from, func(tx pgx.Tx, m Meter, _ box.Record) error {
		return s.revoke(ctx, tx, actor, m, rf, status, reason)
	})
}

// check validates the choice before the meter is touched.
func (rf RevokeFrom) check() error {
	switch rf.Mode {
	case "", RevokeNow, RevokeAll:
		return nil
	case RevokeDate:
		if _, err := time.Parse(time.DateOnly, strings.TrimSpace(rf.Date)); err != nil {
			return apperr.Invalid("revoke_date", "Enter the first day whose labels are revoked, like 2026-03-01.")
		}
		return nil
	}
	return apperr.Invalid("revoke_from", "Choose from when the meter's labels are revoked: from now, from a date, or from the first label.")
}

// revokedFrom resolves the choice to a time: now, the chosen day's start
// (UTC; not in the future), or the certificate's start (every label).
func (rf RevokeFrom) revokedFrom(now time.Time, cert *x509.Certificate) (time.Time, error) {
	switch rf.Mode {
	case RevokeAll:
		return cert.NotBefore.UTC(), nil
	case RevokeDate:
		d, err := time.Parse(time.DateOnly, strings.TrimSpace(rf.Date))
		if err != nil {
			return time.Time{}, apperr.Invalid("revoke_date", "Enter the first day whose labels are revoked, like 2026-03-01.")
		}
		if d.After(now) {
			return time.Time{}, apperr.Invalid("revoke_date", "Choose today or an earlier day: labels dated later are revoked in any case.")
		}
		return d, nil
	}
	return now, nil
}

// revoke records the revocation; a meter revoked before keeps the earlier
// of the two times (a revocation is never narrowed or lifted).
func (s *Service) revoke(ctx context.Context, tx pgx.Tx, actor accounts.User, m Meter, rf RevokeFrom, status, reason string) error {
	cert, err := meterCertificate(m)
	if err != nil {
		return err
	}
	now := s.now().Truncate(time.Microsecond)
	at, err := rf.revokedFrom(now, cert)
	if err != nil {
		return err
	}
	why := status
	if reason != "" {
		why = reason
	}
	var by any
	if actor.ID != 0 {
		by = actor.ID
	}
	_, err = tx.Exec(ctx, `INSERT INTO meter_revocations (meter_id, serial, cert_serial, revoked_from, reason, revoked_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
		ON CONFLICT (meter_id) DO UPDATE SET
			reason = CASE WHEN excluded.revoked_from < meter_revocations.revoked_from THEN excluded.reason ELSE meter_revocations.reason END,
			revoked_by = CASE WHEN excluded.revoked_from < meter_revocations.revoked_from THEN excluded.revoked_by ELSE meter_revocations.revoked_by END,
			revoked_from = LEAST(meter_revocations.revoked_from, excluded.revoked_from),
			updated_at = excluded.updated_at`,
		m.ID, m.Record.Serial, cert.SerialNumber.Bytes(), at, why, by, now)
	if err != nil {
		return fmt.Errorf("metering: revoke meter %s: %w", m.Record.Serial, err)
	}
	return nil
}

func meterCertificate(m Meter) (*x509.Certificate, error) {
	certs, err := indicium.ParseCertificatesPEM([]byte(m.CertPEM))
	if err != nil {
		return nil, fmt.Errorf("metering: meter %s certificate: %w", m.Record.Serial, err)
	}
	return certs[0], nil
}

// RevocationOf returns the meter's revocation, or nil when its certificate
// is not revoked.
func (s *Service) RevocationOf(ctx context.Context, serial string) (*Revocation, error) {
	var r Revocation
	err := s.pool.QueryRow(ctx, `SELECT serial, cert_serial, revoked_from, reason FROM meter_revocations WHERE serial = $1`, serial).
		Scan(&r.Serial, &r.CertSerial, &r.RevokedFrom, &r.Reason)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("metering: revocation of %s: %w", serial, err)
	}
	r.RevokedFrom = r.RevokedFrom.UTC()
	return &r, nil
}

// Revocations lists every revoked meter certificate, oldest first.
func (s *Service) Revocations(ctx context.Context) ([]Revocation, error) {
	rows, err := s.pool.Query(ctx, `SELECT serial, cert_serial, revoked_from, reason FROM meter_revocations ORDER BY meter_id`)
	if err != nil {
		return nil, fmt.Errorf("metering: revocations: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Revocation, error) {
		var v Revocation
		err := r.Scan(&v.Serial, &v.CertSerial, &v.RevokedFrom, &v.Reason)
		v.RevokedFrom = v.RevokedFrom.UTC()
		return v, err
	})
	if err != nil {
		return nil, fmt.Errorf("metering: revocations: %w", err)
	}
	return list, nil
}

// crlReasonCode is the RFC 5280 reason of a stored revocation reason.
func crlReasonCode(reason string) int {
	if reason == box.StatusRetired {
		return box.CRLReasonCessation
	}
	code, _ := revokes(box.StatusSuspended, reason)
	return code
}

// revocationCache keeps the last signed list: a list is signed by the box
// only when the revocations changed or half its validity has passed.
type revocationCache struct {
	mu       sync.Mutex
	key      [32]byte
	pem      []byte
	signedAt time.Time
}

// RevocationList returns the revocation list, an X.509 CRL signed by the
// vendor root inside the box (PEM): one entry per revoked meter
// certificate, its revocation time the time labels are revoked from.
func (s *Service) RevocationList(ctx context.Context) ([]byte, error) {
	list, err := s.Revocations(ctx)
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	entries := make([]box.Revocation, len(list))
	for i, r := range list {
		entries[i] = box.Revocation{CertSerial: r.CertSerial, From: r.RevokedFrom, ReasonCode: crlReasonCode(r.Reason)}
		h.Write(binary.BigEndian.AppendUint16(nil, uint16(len(r.CertSerial))))
		h.Write(r.CertSerial)
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(r.RevokedFrom.UnixMicro())))
		h.Write([]byte{byte(entries[i].ReasonCode)})
	}
	var key [32]byte
	copy(key[:], h.Sum(nil))
	c := &s.revs
	c.mu.Lock()
	defer c.mu.Unlock()
	now := s.now()
	if c.pem != nil && c.key == key && now.Sub(c.signedAt) < RevocationListValidity/2 {
		return c.pem, nil
	}
	der, err := s.box.SignRevocationList(ctx, entries, RevocationListValidity)
	if err != nil {
		return nil, apperr.Unavailable("The secure box did not sign the revocation list; try again.", err)
	}
	c.key, c.signedAt = key, now
	c.pem = pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der})
	return c.pem, nil
}

// revokedVerdict answers REVOKED for an authentic label dated on or after
// its meter's revocation (row: the label, nil when none was sold); the scan
// raises a fraud signal (recordRevokedUse): someone presented postage that
// is no longer valid. It reports false when the label is not revoked.
func revokedVerdict(w Verification, in indicium.Indicium, r *Revocation, row *scannedRow) (scanVerdict, bool) {
	if r == nil || !LabelRevoked(in.MailingDate, r.RevokedFrom) {
		return scanVerdict{}, false
	}
	w.Result, w.RevokedFrom = ResultRevoked, &r.RevokedFrom
	w.Reason = fmt.Sprintf("Meter %s's certificate was revoked from %s (%s): labels dated from that day on are not valid postage.",
		in.MeterSerial, r.RevokedFrom.Format("2006-01-02 15:04 MST"), strings.ReplaceAll(r.Reason, "_", " "))
	d := scanVerdict{out: w, signal: signalRevoked}
	if row != nil && bytes.Equal(row.data, in.Bytes()) {
		id := row.id
		d.indiciumID = &id
	}
	return d, true
}

// recordRevokedUse raises the revoked_use signal of a scan answered REVOKED.
func recordRevokedUse(ctx context.Context, q db.Querier, j *scanJob, d scanVerdict) error {
	in, r := *j.in, j.rev
	detail := fmt.Sprintf("meter %s piece %d dated %s presented after its certificate was revoked from %s (%s); ref %q at %q",
		in.MeterSerial, in.PieceCount, in.MailingDate.Format(time.DateOnly), r.RevokedFrom.Format(time.RFC3339), r.Reason, j.req.PieceRef, j.req.Location)
	if _, err := q.Exec(ctx, `INSERT INTO fraud_signals (kind, indicium_id, verification_id, detail, created_at) VALUES ('revoked_use', $1, $2, $3, $4)`,
		d.indiciumID, d.out.ID, detail, d.out.At); err != nil {
		return fmt.Errorf("metering: record fraud signal: %w", err)
	}
	return nil
}

// CheckRevocation is the offline revocation check of an indicium that
// CheckOffline accepted: the list must be signed by the root that issued
// the meter's certificate and not be past its next update at now; a label
// of a listed certificate dated on or after the entry's revocation time is
// ErrRevoked.
func CheckRevocation(in indicium.Indicium, certs []*x509.Certificate, crl *x509.RevocationList, now time.Time) error {
	meter, err := indicium.FindMeterCertificate(in, certs)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnknownMeter, err)
	}
	var issuer *x509.Certificate
	for _, c := range certs {
		if c.IsCA && meter.CheckSignatureFrom(c) == nil {
			issuer = c
			break
		}
	}
	if issuer == nil {
		return ErrNoRoot
	}
	if err := crl.CheckSignatureFrom(issuer); err != nil {
		return fmt.Errorf("metering: the revocation list is not signed by the vendor root: %w", err)
	}
	if !crl.NextUpdate.IsZero() && now.After(crl.NextUpdate) {
		return fmt.Errorf("metering: the revocation list expired at %s; fetch a fresh one", crl.NextUpdate.UTC().Format(time.RFC3339))
	}
	for _, e := range crl.RevokedCertificateEntries {
		if e.SerialNumber.Cmp(meter.SerialNumber) == 0 && LabelRevoked(in.MailingDate, e.RevocationTime) {
			return fmt.Errorf("%w from %s: labels of meter %s dated from that day on are not valid postage",
				ErrRevoked, e.RevocationTime.UTC().Format("2006-01-02 15:04 MST"), in.MeterSerial)
		}
	}
	return nil
}

// ParseRevocationList reads a revocation list, PEM ("X509 CRL") or DER.
func ParseRevocationList(data []byte) (*x509.RevocationList, error) {
	if blk, _ := pem.Decode(data); blk != nil {
		if blk.Type != "X509 CRL" {
			return nil, fmt.Errorf("metering: revocation list: a %s PEM block, want X509 CRL", blk.Type)
		}
		data = blk.Bytes
	}
	crl, err := x509.ParseRevocationList(data)
	if err != nil {
		return nil, fmt.Errorf("metering: revocation list: %w", err)
	}
	return crl, nil
}

// refuseRevoked keeps a meter with a revoked certificate from dispensing again.
func (s *Service) refuseRevoked(ctx context.Context, actor accounts.User, meterID int64) error {
	if err := requireAdmin(actor); err != nil {
		return err
	}
	var serial string
	var from time.Time
	err := s.pool.QueryRow(ctx, `SELECT serial, revoked_from FROM meter_revocations WHERE meter_id = $1`, meterID).Scan(&serial, &from)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("metering: revocation of meter %d: %w", meterID, err)
	}
	return apperr.Conflict("status", fmt.Sprintf("Meter %s's certificate is revoked from %s: labels it printed would not verify. Manufacture a new meter for this account.",
		serial, from.UTC().Format("2006-01-02 15:04 MST")))
}
