package payments

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/db"
)

// MaxResolution is the longest resolution note, in characters.
const MaxResolution = apperr.MaxResolution

// Alert is one payment alert for the vendor admin.
type Alert struct {
	ID        int64
	AccountID int64
	MeterID   int64
	Kind      string
	Detail    string
	CreatedAt time.Time
	// Set once a vendor admin has dealt with the alert. ResolvedBy is empty
	// for the system user or a user deleted since.
	ResolvedAt *time.Time
	ResolvedBy string
	Resolution string
}

// Open reports whether nobody has dealt with the alert yet.
func (a Alert) Open() bool { return a.ResolvedAt == nil }

func requireAlertAdmin(actor accounts.User) error {
	if actor.Role != accounts.RoleAdmin && actor.Role != accounts.RoleSystem {
		return apperr.Forbidden("Only vendor admins see and resolve payment alerts.")
	}
	return nil
}

// Alerts lists payment alerts, open ones first, newest first within each
// (vendor admins).
func (s *Service) Alerts(ctx context.Context, actor accounts.User, limit int) ([]Alert, error) {
	if err := requireAlertAdmin(actor); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT a.id, coalesce(a.account_id, 0), coalesce(a.meter_id, 0), a.kind, a.detail, a.created_at,
			a.resolved_at, coalesce(a.resolved_by, 0), coalesce(a.resolution, '')
		FROM payment_alerts a
		ORDER BY a.resolved_at IS NOT NULL, a.created_at DESC, a.id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("payments: alerts: %w", err)
	}
	var by []int64
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Alert, error) {
		var a Alert
		var resolvedBy int64
		err := r.Scan(&a.ID, &a.AccountID, &a.MeterID, &a.Kind, &a.Detail, &a.CreatedAt, &a.ResolvedAt, &resolvedBy, &a.Resolution)
		by = append(by, resolvedBy)
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("payments: alerts: %w", err)
	}
	names, err := accounts.ContactsByID(ctx, s.pool, by)
	if err != nil {
		return nil, fmt.Errorf("payments: alerts: %w", err)
	}
	for i := range list {
		list[i].ResolvedBy = names[by[i]].Name
	}
	return list, nil
}

// OpenAlerts counts unresolved payment alerts.
func (s *Service) OpenAlerts(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM payment_alerts WHERE resolved_at IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("payments: count open alerts: %w", err)
	}
	return n, nil
}

// ResolveAlert marks an open alert as dealt with, saying what was done. It is
// one conditional UPDATE, so when two admins resolve the same alert at once
// exactly one succeeds; the other gets a conflict.
func (s *Service) ResolveAlert(ctx context.Context, actor accounts.User, id int64, resolution string) error {
	if err := requireAlertAdmin(actor); err != nil {
		return err
	}
	resolution, err := apperr.Resolution(resolution)
	if err != nil {
		return err
	}
	return paymentAlerts.Resolve(ctx, s.pool, id, s.now(), actor.ID, resolution)
}

var paymentAlerts = db.Resolvable{
	Table:    "payment_alerts",
	NotFound: "No such payment alert.",
	Resolved: "This alert has already been resolved.",
}
