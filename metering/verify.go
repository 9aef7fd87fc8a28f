package metering

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/metering/indicium"
)

// VerifyResult is the answer a verifier gets.
type VerifyResult string

// Verification results.
const (
	ResultValid     VerifyResult = "valid"     // authentic, issued, not voided, first seen on this piece
	ResultInvalid   VerifyResult = "invalid"   // malformed, unknown meter, bad signature, never issued, wrong recipient
	ResultVoid      VerifyResult = "void"      // authentic but voided and refunded
	ResultDuplicate VerifyResult = "duplicate" // authentic but already used on another piece
)

// Offline-check failures (wrapped with detail).
var (
	ErrUnknownMeter = errors.New("metering: no certificate for this meter and key")
	ErrNoRoot       = errors.New("metering: the pinned vendor root is not in the bundle")
)

// Decoded are the fields of an indicium as a verifier reads them.
type Decoded struct {
	Version       int       `json:"version"`
	Serial        string    `json:"meter_serial"`
	KeyID         string    `json:"key_id,omitempty"`      // version 1
	CertSerial    string    `json:"cert_serial,omitempty"` // version 2, hex
	MailingDate   time.Time `json:"mailing_date"`
	Postage       int64     `json:"postage"`
	AR            int64     `json:"ascending_register"`
	DR            *int64    `json:"descending_register,omitempty"` // version 2
	PieceNumber   int64     `json:"piece_number"`
	OriginZIP     string    `json:"origin_zip"`
	DestZIP       string    `json:"dest_zip"`     // version 3: the foreign postal code
	DestCountry   string    `json:"dest_country"` // ISO 3166-1 alpha-2; US for versions 1 and 2
	MailClass     string    `json:"mail_class"`
	Services      uint32    `json:"services"`
	RecipientHash string    `json:"recipient_hash"`
	Software      string    `json:"software,omitempty"` // version 2
}

// Decode lists the fields of a parsed indicium.
func Decode(in indicium.Indicium) Decoded {
	d := Decoded{Version: int(in.Version), Serial: in.MeterSerial, MailingDate: in.MailingDate, Postage: in.Postage,
		AR: in.AR, PieceNumber: in.PieceCount, OriginZIP: in.OriginZIP, DestZIP: in.DestZIP, MailClass: in.MailClass,
		Services: in.Services, RecipientHash: hex.EncodeToString(in.RecipientHash[:]), DestCountry: "US"}
	if in.Foreign() {
		d.DestCountry = in.Country
	}
	if in.Version == indicium.Version1 {
		d.KeyID = hex.EncodeToString(in.KeyID[:])
	} else {
		dr := in.DR
		d.CertSerial, d.DR, d.Software = hex.EncodeToString(in.CertSerial), &dr, in.Software
	}
	return d
}

// CheckOffline is the whole offline verification of barcode text against a
// published certificate bundle: parse, find the meter's certificate, chain
// it to the pinned vendor root (rootFP, its SHA-256 fingerprint; other
// self-signed certificates of the bundle anchor nothing), check the low-S
// signature. It needs no database: `indicia verify` uses it.
func CheckOffline(text string, certs []*x509.Certificate, rootFP [sha256.Size]byte) (indicium.Indicium, error) {
	in, err := indicium.ParseText(strings.TrimSpace(text))
	if err != nil {
		return indicium.Indicium{}, err
	}
	if len(indicium.FindMeterCertificates(in, certs)) == 0 {
		_, err := indicium.FindMeterCertificate(in, certs)
		return in, fmt.Errorf("%w: %v", ErrUnknownMeter, err)
	}
	if _, err := indicium.PinnedRoot(certs, rootFP); err != nil {
		return in, fmt.Errorf("%w: %v", ErrNoRoot, err)
	}
	return in, indicium.VerifyPinned(in, certs, rootFP)
}

// VerifyRequest is one scan presented for verification.
type VerifyRequest struct {
	Text     string // the barcode text as scanned
	PieceRef string // the mail piece's own ID from the scanner, if any
	Location string // where it was scanned: facility ZIP or name, if known
	// Recipient is the standardized one-line recipient address read from the
	// piece (hygiene's OneLine form), if the verifier has it.
	Recipient string
	IP        string
}

// Verification is the answer, with what was decoded. Fields is nil when the
// text is not an indicium at all.
type Verification struct {
	ID             int64
	Result         VerifyResult
	Reason         string
	Fields         *Decoded
	RecipientMatch *bool      // nil when no address was given
	LabelStatus    string     // issued or voided, when the label is ours
	FirstUsedAt    *time.Time // the first scan, for duplicates
	// UsedAt and UsedLocation: when and where the label was first scanned as
	// used (this scan, for the first valid one); nil when it never was.
	UsedAt       *time.Time
	UsedLocation string
	// Warning flags what a verifier should look at even on a valid answer:
	// a mailing date outside the window of MailingDateWarning.
	Warning string
	// RevokedFrom is the revocation time of the meter's certificate, for revoked labels.
	RevokedFrom *time.Time
	At          time.Time
}

// Verify checks a scanned indicium against the vendor root and the stored
// meters, then against what was issued: valid, invalid, void or duplicate.
// The first valid scan marks the label used (it can no longer be voided);
// every later scan is a duplicate and a fraud signal unless it is provably
// the same piece (judgeUse). Every verification is logged, in a commit
// shared with the scans made at the same time (verify_groupcommit.go).
func (s *Service) Verify(ctx context.Context, actor accounts.User, req VerifyRequest) (Verification, error) {
	switch actor.Role {
	case accounts.RoleStaff, accounts.RoleAdmin, accounts.RoleSystem:
	default:
		return Verification{}, apperr.Forbidden("Only postal staff and vendor admins verify indicia.")
	}
	req.Text = strings.TrimSpace(req.Text)
	req.PieceRef, req.Location, req.Recipient = strings.TrimSpace(req.PieceRef), strings.TrimSpace(req.Location), strings.TrimSpace(req.Recipient)
	f := apperr.Fields{}
	switch {
	case req.Text == "":
		f["text"] = "Paste the scanned barcode text or upload a label image."
	case len(req.Text) > 4096:
		f["text"] = "The barcode text is longer than any indicium."
	}
	if len(req.PieceRef) > 100 {
		f["piece_ref"] = "The piece reference is longer than 100 characters."
	}
	if len(req.Location) > 100 {
		f["location"] = "The scan location is longer than 100 characters."
	}
	if err := f.Err(); err != nil {
		return Verification{}, err
	}
	v := Verification{At: s.now()}
	in, err := indicium.ParseText(req.Text)
	hash := sha256.Sum256([]byte(req.Text))
	if err != nil {
		v.Result, v.Reason = ResultInvalid, "This is not a readable indicium: "+strings.TrimPrefix(err.Error(), "indicium: ")+"."
		return s.commitScan(ctx, &scanJob{actor: actor, req: req, v: v, hash: hash[:]})
	}
	hash = sha256.Sum256(in.Bytes())
	d := Decode(in)
	v.Fields = &d
	v.Warning = MailingDateWarning(in.MailingDate, v.At)
	if req.Recipient != "" {
		match := indicium.RecipientHash(req.Recipient) == in.RecipientHash
		v.RecipientMatch = &match
	}
	reason, err := s.checkSignature(ctx, in)
	if err != nil {
		return Verification{}, err
	} else if reason != "" {
		v.Result, v.Reason = ResultInvalid, reason
		return s.commitScan(ctx, &scanJob{actor: actor, req: req, v: v, hash: hash[:]})
	}
	return s.commitScan(ctx, &scanJob{actor: actor, req: req, v: v, in: &in, hash: hash[:]})
}

// checkSignature verifies the indicium against the box's vendor root and the
// meter's certificates; it returns why it fails, or "". The meter's
// revocation is read later, in the scan's transaction (storeScans).
func (s *Service) checkSignature(ctx context.Context, in indicium.Indicium) (string, error) {
	root, err := s.trustedRoot(ctx)
	if err != nil {
		return "", err
	}
	certs, cached, err := s.meterCertsOf(ctx, in.MeterSerial, false)
	if err != nil {
		return "", err
	}
	meter, err := indicium.FindMeterCertificate(in, certs)
	if err != nil && cached {
		// A certificate added to the meter since it was kept.
		if certs, _, err = s.meterCertsOf(ctx, in.MeterSerial, true); err != nil {
			return "", err
		}
		meter, err = indicium.FindMeterCertificate(in, certs)
	}
	if err != nil {
		return "Unknown meter: no meter " + in.MeterSerial + " with this key was issued by this vendor.", nil
	}
	if err := s.verifyChain(root, meter, in.MailingDate); err != nil {
		return s.signatureFailure(ctx, in, err)
	}
	if err := indicium.VerifyWithMeter(in, meter); err != nil {
		return s.signatureFailure(ctx, in, err)
	}
	return "", nil
}

// VerificationRow is one logged verification as postal staff list them.
type VerificationRow struct {
	ID       int64
	At       time.Time
	Result   VerifyResult
	Reason   string
	Serial   string
	Piece    int64
	PieceRef string
	Location string
	IP       string
	By       string
}

// RecentVerifications lists the newest logged verifications (postal staff and admins).
func (s *Service) RecentVerifications(ctx context.Context, actor accounts.User, limit int) ([]VerificationRow, error) {
	if actor.Role != accounts.RoleStaff && actor.Role != accounts.RoleAdmin {
		return nil, apperr.Forbidden("Only postal staff and vendor admins see the verification log.")
	}
	rows, err := s.pool.Query(ctx, `SELECT v.id, v.created_at, v.result, v.reason, v.serial, v.piece_number, v.piece_ref, v.location, v.ip, coalesce(v.user_id, 0)
		FROM verifications v ORDER BY v.created_at DESC, v.id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("metering: recent verifications: %w", err)
	}
	var by []int64
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (VerificationRow, error) {
		var v VerificationRow
		var res string
		var userID int64
		err := r.Scan(&v.ID, &v.At, &res, &v.Reason, &v.Serial, &v.Piece, &v.PieceRef, &v.Location, &v.IP, &userID)
		v.Result = VerifyResult(res)
		by = append(by, userID)
		return v, err
	})
	if err != nil {
		return nil, fmt.Errorf("metering: recent verifications: %w", err)
	}
	users, err := accounts.ContactsByID(ctx, s.pool, by)
	if err != nil {
		return nil, fmt.Errorf("metering: recent verifications: %w", err)
	}
	for i := range list {
		list[i].By = users[by[i]].Email
	}
	return list, nil
}
