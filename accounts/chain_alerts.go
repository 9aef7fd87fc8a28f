package accounts

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/apperr"
	"indicia/db"
)

// ChainAlert is a broken link of the login chain, for vendor admins: the
// stored record the box refused, what was wrong with it, and the record that
// started the new segment.
type ChainAlert struct {
	ID             int64
	BrokenLoginID  int64
	BrokenSegment  int
	BrokenSeq      int64
	SegmentLoginID int64
	Segment        int
	Reason         string
	Detail         string
	CreatedAt      time.Time
	// Set once a vendor admin has dealt with it; ResolvedBy is empty for the
	// system user or a user deleted since.
	ResolvedAt *time.Time
	ResolvedBy string
	Resolution string
}

// Open reports whether nobody has dealt with the alert yet.
func (a ChainAlert) Open() bool { return a.ResolvedAt == nil }

func requireChainAdmin(actor User) error {
	if actor.Role != RoleAdmin && actor.Role != RoleSystem {
		return apperr.Forbidden("Only vendor admins see and resolve login chain alerts.")
	}
	return nil
}

// ChainAlerts lists login chain alerts, open ones first, newest first within
// each (vendor admins).
func (s *Service) ChainAlerts(ctx context.Context, actor User, limit int) ([]ChainAlert, error) {
	if err := requireChainAdmin(actor); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT a.id, a.broken_login_id, a.broken_segment, a.broken_seq, a.segment_login_id, a.segment,
			a.reason, a.detail, a.created_at, a.resolved_at, coalesce(u.name, ''), coalesce(a.resolution, '')
		FROM login_chain_alerts a LEFT JOIN users u ON u.id = a.resolved_by
		ORDER BY a.resolved_at IS NOT NULL, a.created_at DESC, a.id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("accounts: login chain alerts: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ChainAlert, error) {
		var a ChainAlert
		err := r.Scan(&a.ID, &a.BrokenLoginID, &a.BrokenSegment, &a.BrokenSeq, &a.SegmentLoginID, &a.Segment,
			&a.Reason, &a.Detail, &a.CreatedAt, &a.ResolvedAt, &a.ResolvedBy, &a.Resolution)
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("accounts: login chain alerts: %w", err)
	}
	return list, nil
}

// OpenChainAlerts counts unresolved login chain alerts (for /metrics).
func (s *Service) OpenChainAlerts(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM login_chain_alerts WHERE resolved_at IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("accounts: count open login chain alerts: %w", err)
	}
	return n, nil
}

// ResolveChainAlert marks an open alert as dealt with, saying what was done;
// when two admins resolve it at once, exactly one succeeds and the other
// gets a conflict. The break stays in the chain: `indicia audit` reports it
// as explained once its alert is resolved.
func (s *Service) ResolveChainAlert(ctx context.Context, actor User, id int64, resolution string) error {
	if err := requireChainAdmin(actor); err != nil {
		return err
	}
	resolution, err := apperr.Resolution(resolution)
	if err != nil {
		return err
	}
	return chainAlerts.Resolve(ctx, s.pool, id, s.now(), actor.ID, resolution)
}

var chainAlerts = db.Resolvable{
	Table:    "login_chain_alerts",
	NotFound: "No such login chain alert.",
	Resolved: "This alert has already been resolved.",
}
