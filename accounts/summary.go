package accounts

import (
	"context"
	"fmt"
	"time"

	"indicia/apperr"
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
	if !actor.Role.IsMailer() {
		return sum, apperr.NotFound("No such account.")
	}
	// One round trip: the dashboard is the most visited page.
	a := &sum.Account
	err := s.pool.QueryRow(ctx, `SELECT a.id, a.customer_id, a.company, a.address_line1, a.address_line2, a.city, a.state, a.zip, a.origin_zip, a.created_at,
		(SELECT count(*) FROM users WHERE account_id = a.id),
		(SELECT count(*) FROM api_keys WHERE account_id = a.id AND revoked_at IS NULL),
		(SELECT at FROM login_history WHERE user_id = $2 AND success ORDER BY at DESC OFFSET 1 LIMIT 1)
		FROM master_accounts a WHERE a.id = $1`, actor.AccountID, actor.ID).Scan(
		&a.ID, &a.CustomerID, &a.Company, &a.Address.Line1, &a.Address.Line2, &a.Address.City, &a.Address.State, &a.Address.ZIP, &a.OriginZIP, &a.CreatedAt,
		&sum.Users, &sum.ActiveKeys, &sum.PreviousLogin)
	if err != nil {
		return sum, fmt.Errorf("accounts: summary: %w", err)
	}
	return sum, nil
}
