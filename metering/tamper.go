package metering

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/db"
	"indicia/metering/box"
)

// Alert is a tamper alert for vendor admins.
type Alert struct {
	ID         int64
	MeterID    int64
	Serial     string
	Reason     string
	Detail     string
	CreatedAt  time.Time
	ResolvedAt *time.Time
	Resolution string
}

// raiseTamper stores the alert and holds the meter. The hold lives outside the
// MACed record on purpose: the box refuses to touch a record it cannot verify.
// The admins' email is staged in the same transaction: an alert is never
// stored without its email, nor emailed without being stored.
func (s *Service) raiseTamper(ctx context.Context, meterID int64, te *box.TamperError) {
	reason := "mac"
	if errors.Is(te, box.ErrTamperFreshness) {
		reason = "freshness"
	}
	now := s.now()
	var queue func(context.Context)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		return s.storeTamper(ctx, tx, meterID, te, reason, now, &queue)
	})
	if err != nil {
		slog.ErrorContext(ctx, "metering: could not store tamper alert", "serial", te.Serial, "err", err)
	} else if queue != nil {
		queue(ctx)
	}
	slog.WarnContext(ctx, "metering: TAMPER: meter record refused by the box", "serial", te.Serial, "reason", reason, "detail", te.Error())
	if s.opt.OnTamper != nil {
		s.opt.OnTamper(te.Serial, reason)
	}
}

// storeTamper inserts the alert, holds the meter and stages the email, all
// in tx; queue is set to what queues the email once tx has committed.
func (s *Service) storeTamper(ctx context.Context, tx pgx.Tx, meterID int64, te *box.TamperError, reason string, now time.Time, queue *func(context.Context)) error {
	if _, err := tx.Exec(ctx, `WITH a AS (INSERT INTO tamper_alerts (meter_id, serial, reason, detail, created_at) VALUES ($1,$2,$3,$4,$5))
		UPDATE meters SET tamper_hold = $3, updated_at = $5 WHERE id = $1`, meterID, te.Serial, reason, te.Error(), now); err != nil {
		return fmt.Errorf("insert alert: %w", err)
	}
	if s.opt.StageAlert == nil {
		return nil
	}
	q, err := s.opt.StageAlert(ctx, tx, "Indicia TAMPER alert: meter "+te.Serial,
		fmt.Sprintf("At %s the secure box refused the record of meter %s (%s): %s\n\nThe meter is held until a vendor admin resolves the alert on /admin/alerts.",
			now.Format(time.RFC3339), te.Serial, reason, te.Error()))
	if err != nil {
		return fmt.Errorf("stage alert email: %w", err)
	}
	*queue = q
	return nil
}

// Alerts lists tamper alerts, open ones first (vendor admins).
func (s *Service) Alerts(ctx context.Context, actor accounts.User, limit int) ([]Alert, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT id, meter_id, serial, reason, detail, created_at, resolved_at, resolution FROM tamper_alerts
		ORDER BY resolved_at IS NOT NULL, created_at DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("metering: list alerts: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Alert, error) {
		var a Alert
		err := r.Scan(&a.ID, &a.MeterID, &a.Serial, &a.Reason, &a.Detail, &a.CreatedAt, &a.ResolvedAt, &a.Resolution)
		return a, err
	})
}

// OpenAlerts counts unresolved alerts (for /metrics and the admin dashboard).
func (s *Service) OpenAlerts(ctx context.Context) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM tamper_alerts WHERE resolved_at IS NULL`).Scan(&n)
	return n, err
}

// ResolveAlert closes an alert after investigation and lifts the meter's
// hold. It does so only if the box now verifies the meter's record (for
// example after the genuine record was restored); otherwise the alert stays
// open, the meter stays held and the error names the resolution field.
func (s *Service) ResolveAlert(ctx context.Context, actor accounts.User, alertID int64, note string) (released bool, err error) {
	if err := requireAdmin(actor); err != nil {
		return false, err
	}
	if note, err = apperr.Resolution(note); err != nil {
		return false, err
	}
	var meterID int64
	err = s.pool.QueryRow(ctx, `SELECT meter_id FROM tamper_alerts WHERE id = $1 AND resolved_at IS NULL`, alertID).Scan(&meterID)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, apperr.NotFound("No such open alert.")
	}
	if err != nil {
		return false, fmt.Errorf("metering: load alert: %w", err)
	}
	m, err := s.Meter(ctx, actor, meterID)
	if err != nil {
		return false, err
	}
	if verr := s.box.VerifyRecord(ctx, m.Record); verr != nil {
		// Closing the alert now would leave the meter held with no open alert
		// to resolve once the genuine record is back: it stays open.
		var te *box.TamperError
		if !errors.As(verr, &te) {
			return false, boxError(verr)
		}
		return false, apperr.Invalid("resolution", fmt.Sprintf("Meter %s's record still fails the box's check, so the alert stays open and the meter stays held. Restore the genuine record, then resolve the alert.", m.Record.Serial))
	}
	now := s.now()
	// The meter is released only by the call that resolved the alert: another
	// admin resolving it at the same time gets a conflict.
	err = db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tamperAlerts.Resolve(ctx, tx, alertID, now, actor.ID, note); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE meters SET tamper_hold = '', updated_at = $2 WHERE id = $1`, meterID, now); err != nil {
			return fmt.Errorf("metering: release meter %d: %w", meterID, err)
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	return true, nil
}

var tamperAlerts = db.Resolvable{
	Table:    "tamper_alerts",
	NotFound: "No such open alert.",
	Resolved: "This alert has already been resolved.",
}
