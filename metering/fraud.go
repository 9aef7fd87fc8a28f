package metering

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/db"
)

// MaxFraudResolution is the longest resolution note of a fraud signal, in characters.
const MaxFraudResolution = apperr.MaxResolution

// FraudSignal is one item for postal fraud review.
type FraudSignal struct {
	ID        int64
	Kind      string
	MeterID   int64 // 0 when the signal names no meter
	Serial    string
	Piece     int64
	Detail    string
	CreatedAt time.Time
	// Set once postal staff or a vendor admin has dealt with the signal.
	// ResolvedBy is empty for the system user or a user deleted since.
	ResolvedAt *time.Time
	ResolvedBy string
	Resolution string
}

// Open reports whether nobody has dealt with the signal yet.
func (f FraudSignal) Open() bool { return f.ResolvedAt == nil }

// FraudSignals lists fraud signals, open ones first, newest first within
// each, so the open ones stay in view however many were resolved.
func (s *Service) FraudSignals(ctx context.Context, actor accounts.User, limit int) ([]FraudSignal, error) {
	if err := requirePostal(actor); err != nil {
		return nil, err
	}
	return s.fraudSignals(ctx, 0, limit)
}

// fraudSignals lists the signals about one meter (0: all of them).
func (s *Service) fraudSignals(ctx context.Context, meterID int64, limit int) ([]FraudSignal, error) {
	rows, err := s.reads().Query(ctx, `SELECT f.id, f.kind, COALESCE(m.id, 0), COALESCE(m.serial, ''), COALESCE(i.piece_number, 0), f.detail, f.created_at,
			f.resolved_at, COALESCE(f.resolved_by, 0), COALESCE(f.resolution, '')
		FROM fraud_signals f LEFT JOIN indicia i ON i.id = f.indicium_id LEFT JOIN meters m ON m.id = COALESCE(f.meter_id, i.meter_id)
		WHERE $2::bigint = 0 OR COALESCE(f.meter_id, i.meter_id) = $2
		ORDER BY f.resolved_at IS NOT NULL, f.created_at DESC, f.id DESC LIMIT $1`, limit, meterID)
	if err != nil {
		return nil, fmt.Errorf("metering: fraud signals: %w", err)
	}
	var by []int64
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (FraudSignal, error) {
		var f FraudSignal
		var resolvedBy int64
		err := r.Scan(&f.ID, &f.Kind, &f.MeterID, &f.Serial, &f.Piece, &f.Detail, &f.CreatedAt, &f.ResolvedAt, &resolvedBy, &f.Resolution)
		by = append(by, resolvedBy)
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("metering: fraud signals: %w", err)
	}
	names, err := accounts.ContactsByID(ctx, s.pool, by)
	if err != nil {
		return nil, fmt.Errorf("metering: fraud signals: %w", err)
	}
	for i := range list {
		list[i].ResolvedBy = names[by[i]].Name
	}
	return list, nil
}

// OpenFraudSignals counts unresolved fraud signals, shown or not.
func (s *Service) OpenFraudSignals(ctx context.Context, actor accounts.User) (int, error) {
	if err := requirePostal(actor); err != nil {
		return 0, err
	}
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM fraud_signals WHERE resolved_at IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("metering: count open fraud signals: %w", err)
	}
	return n, nil
}

// ResolveFraudSignal marks an open signal as dealt with, saying what was
// done (postal staff and vendor admins). It is one conditional UPDATE, so
// when two people resolve the same signal at once exactly one succeeds and
// the other gets a conflict instead of overwriting the first resolution.
func (s *Service) ResolveFraudSignal(ctx context.Context, actor accounts.User, id int64, resolution string) error {
	if err := requirePostal(actor); err != nil {
		return apperr.Forbidden("Only postal staff and vendor admins resolve fraud signals.")
	}
	resolution, err := apperr.Resolution(resolution)
	if err != nil {
		return err
	}
	return fraudSignals.Resolve(ctx, s.pool, id, s.now(), actor.ID, resolution)
}

var fraudSignals = db.Resolvable{
	Table:    "fraud_signals",
	NotFound: "No such fraud signal.",
	Resolved: "This fraud signal has already been resolved.",
}
