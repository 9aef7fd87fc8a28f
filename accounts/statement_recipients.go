package accounts

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"indicia/db"
)

// StatementRecipients are the emails a master account's monthly statement
// goes to: its enabled owners, and its enabled users who asked for it.
func StatementRecipients(ctx context.Context, q db.Querier, accountID int64) ([]string, error) {
	rows, err := q.Query(ctx, `SELECT email FROM users WHERE account_id = $1 AND NOT disabled
		AND (role = 'mailer_owner' OR (role = 'mailer_user' AND statement_emails)) ORDER BY id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("accounts: statement recipients: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// StatementEmails reports whether the user asked for the monthly statement by email.
func (s *Service) StatementEmails(ctx context.Context, actor User) (bool, error) {
	var on bool
	err := s.pool.QueryRow(ctx, `SELECT statement_emails FROM users WHERE id = $1`, actor.ID).Scan(&on)
	if err != nil {
		return false, fmt.Errorf("accounts: statement emails: %w", err)
	}
	return on || actor.Role == RoleOwner, nil
}

// SetStatementEmails turns the actor's own monthly statement email on or off.
func (s *Service) SetStatementEmails(ctx context.Context, actor User, on bool) error {
	if _, err := s.pool.Exec(ctx, `UPDATE users SET statement_emails = $2 WHERE id = $1`, actor.ID, on); err != nil {
		return fmt.Errorf("accounts: set statement emails: %w", err)
	}
	return nil
}
