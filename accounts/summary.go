package accounts

import (
	"context"
	"fmt"
	"time"
)

// Summary is what the dashboard shows about the actor's account.
type Summary struct {
	Account       Account
	Users         int
	ActiveKeys    int
	PreviousLogin *time.Time
}

// AccountSummary gathers the dashboard numbers for a mailer.
func (s *Service) AccountSummary(ctx context.Context, actor User) (Summary, error) {
	var sum Summary
	a, err := s.Account(ctx, actor, actor.AccountID)
	if err != nil {
		return sum, err
	}
	sum.Account = a
	err = s.pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM users WHERE account_id = $1),
		(SELECT count(*) FROM api_keys WHERE account_id = $1 AND revoked_at IS NULL),
		(SELECT at FROM login_history WHERE user_id = $2 AND success ORDER BY at DESC OFFSET 1 LIMIT 1)`,
		actor.AccountID, actor.ID).Scan(&sum.Users, &sum.ActiveKeys, &sum.PreviousLogin)
	if err != nil {
		return sum, fmt.Errorf("accounts: summary: %w", err)
	}
	return sum, nil
}
