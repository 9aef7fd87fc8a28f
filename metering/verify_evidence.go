package metering

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/db"
	"indicia/metering/indicium"
)

// acceptedScans reads the scans of an indicium accepted as its piece — the
// first use and the re-scans judged the same piece — that judgeUse needs for
// this scan: the first one, the first carrying this scan's piece reference,
// and the first without a reference at this scan's place; oldest first, with
// their verifiers' emails. A label scanned many times on its way thus costs
// no more to check. firstUse is the use recorded on the indicium, which
// stands in when no logged verification holds it.
func (s *Service) acceptedScans(ctx context.Context, tx db.Querier, indiciumID int64, this, firstUse Scan) ([]Scan, error) {
	const cols = `SELECT id, piece_ref, location, created_at, coalesce(user_id, 0) FROM verifications WHERE indicium_id = $1 AND result = 'valid'`
	rows, err := tx.Query(ctx, `SELECT * FROM (
			(`+cols+` ORDER BY id LIMIT 1)
			UNION (`+cols+` AND $2 <> '' AND btrim(piece_ref) = $2 ORDER BY id LIMIT 1)
			UNION (`+cols+` AND $2 = '' AND $3 <> '' AND btrim(piece_ref) = '' AND lower(btrim(location)) = lower($3) ORDER BY id LIMIT 1)
		) s ORDER BY id`, indiciumID, strings.TrimSpace(this.PieceRef), strings.TrimSpace(this.Location))
	if err != nil {
		return nil, fmt.Errorf("metering: earlier scans: %w", err)
	}
	scans, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Scan, error) {
		var sc Scan
		err := r.Scan(&sc.VerificationID, &sc.PieceRef, &sc.Location, &sc.At, &sc.VerifierID)
		return sc, err
	})
	if err != nil {
		return nil, fmt.Errorf("metering: earlier scans: %w", err)
	}
	if len(scans) == 0 {
		scans = []Scan{firstUse}
	}
	ids := make([]int64, len(scans))
	for i, sc := range scans {
		ids[i] = sc.VerifierID
	}
	who, err := accounts.ContactsByID(ctx, tx, ids)
	if err != nil {
		return nil, fmt.Errorf("metering: earlier scans: %w", err)
	}
	for i := range scans {
		scans[i].Verifier = who[scans[i].VerifierID].Email
	}
	return scans, nil
}

// scanEvidence is one scan as a fraud signal records it.
type scanEvidence struct {
	VerificationID int64     `json:"verification_id,omitempty"`
	PieceRef       string    `json:"piece_ref"`
	Location       string    `json:"location"`
	At             time.Time `json:"at"`
	VerifierID     int64     `json:"verifier_id,omitempty"`
	Verifier       string    `json:"verifier"`
	IP             string    `json:"ip,omitempty"`
}

// DuplicateEvidence is what a duplicate-use fraud signal holds (its
// evidence column): why the scan is not the stamped piece, the first scan
// and this one.
type DuplicateEvidence struct {
	Rule          UseRule      `json:"rule"`
	WindowMinutes int          `json:"same_place_window_minutes"`
	FirstScan     scanEvidence `json:"first_scan"`
	ThisScan      scanEvidence `json:"this_scan"`
}

func evidenceOf(sc Scan) scanEvidence {
	return scanEvidence{VerificationID: sc.VerificationID, PieceRef: sc.PieceRef, Location: sc.Location, At: sc.At.UTC(),
		VerifierID: sc.VerifierID, Verifier: sc.Verifier}
}

// recordDuplicate writes the fraud signal of a duplicate scan, in the
// verification's transaction: a duplicate is never answered without it.
func (s *Service) recordDuplicate(ctx context.Context, tx db.Querier, indiciumID int64, in indicium.Indicium, d UseDecision, this Scan, ip string) error {
	ev := DuplicateEvidence{Rule: d.Rule, WindowMinutes: int(SamePieceWindow / time.Minute), FirstScan: evidenceOf(d.First), ThisScan: evidenceOf(this)}
	ev.ThisScan.IP = ip
	raw, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("metering: fraud evidence: %w", err)
	}
	detail := fmt.Sprintf("meter %s piece %d (%s): first scan %s; this scan %s", in.MeterSerial, in.PieceCount, d.Rule, describeScan(d.First), describeScan(this))
	if _, err := tx.Exec(ctx, `INSERT INTO fraud_signals (kind, indicium_id, verification_id, detail, evidence, created_at) VALUES ('duplicate_use', $1, $2, $3, $4, $5)`,
		indiciumID, this.VerificationID, detail, raw, this.At); err != nil {
		return fmt.Errorf("metering: record fraud signal: %w", err)
	}
	return nil
}

// describeScan is a scan in a fraud signal's one-line detail.
func describeScan(sc Scan) string {
	by := sc.Verifier
	if by == "" {
		by = "unknown verifier"
	}
	return fmt.Sprintf("%s ref %q at %q by %s", sc.At.UTC().Format("2006-01-02 15:04:05 MST"), sc.PieceRef, sc.Location, by)
}
