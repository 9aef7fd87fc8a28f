package accounts

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/apperr"
)

// WeekCount is how many accounts signed up in one ISO week (starting Monday, UTC).
type WeekCount struct {
	Week     time.Time
	Accounts int64
}

// SignUpsPerWeek counts the accounts created in each of the last weeks,
// oldest first, weeks without sign-ups included (vendor admins).
func (s *Service) SignUpsPerWeek(ctx context.Context, actor User, weeks int) ([]WeekCount, error) {
	if actor.Role != RoleAdmin && actor.Role != RoleSystem {
		return nil, apperr.Forbidden("Only vendor admins see sign-ups.")
	}
	rows, err := s.pool.Query(ctx, `WITH w AS (
			SELECT generate_series(date_trunc('week', now() AT TIME ZONE 'UTC') - ($1::int - 1) * interval '1 week',
				date_trunc('week', now() AT TIME ZONE 'UTC'), interval '1 week') AS week)
		SELECT w.week, count(a.id) FROM w LEFT JOIN master_accounts a
			ON a.created_at AT TIME ZONE 'UTC' >= w.week AND a.created_at AT TIME ZONE 'UTC' < w.week + interval '1 week'
		GROUP BY w.week ORDER BY w.week`, weeks)
	if err != nil {
		return nil, fmt.Errorf("accounts: sign-ups per week: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (WeekCount, error) {
		var c WeekCount
		err := r.Scan(&c.Week, &c.Accounts)
		return c, err
	})
}
