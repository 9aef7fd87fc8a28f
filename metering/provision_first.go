package metering

import (
	"context"
	"fmt"
	"log/slog"
)

// ProvisionFirst gives an account its first meter unless it has one. Two
// confirmations of the same address can arrive at once (two clicks, two
// serve processes), so the check and the provisioning run under an advisory
// lock per account, held on one connection; made reports whether a meter
// was provisioned.
func (s *Service) ProvisionFirst(ctx context.Context, accountID int64, originZIP string) (m Meter, made bool, err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return Meter{}, false, fmt.Errorf("metering: first meter: %w", err)
	}
	defer conn.Release()
	const key = `hashtextextended('first_meter:' || $1::bigint::text, 0)`
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(`+key+`)`, accountID); err != nil {
		return Meter{}, false, fmt.Errorf("metering: first meter lock: %w", err)
	}
	defer func() {
		// A session lock left behind would stay on the pooled connection:
		// close it instead when the unlock fails.
		if _, uerr := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(`+key+`)`, accountID); uerr != nil {
			slog.ErrorContext(ctx, "metering: first meter unlock", "account", accountID, "err", uerr)
			_ = conn.Conn().Close(context.WithoutCancel(ctx))
		}
	}()
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM meters WHERE account_id = $1`, accountID).Scan(&n); err != nil {
		return Meter{}, false, fmt.Errorf("metering: first meter count: %w", err)
	}
	if n > 0 {
		return Meter{}, false, nil
	}
	m, err = s.Provision(ctx, accountID, originZIP)
	if err != nil {
		return Meter{}, false, err
	}
	return m, true, nil
}
