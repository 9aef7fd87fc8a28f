package accounts

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"indicia/apperr"
)

// Contacts answers who to write to about an account. It needs only the pool,
// so the worker, which has no session store, builds one directly.
type Contacts struct{ pool *pgxpool.Pool }

// NewContacts returns the contacts over pool.
func NewContacts(pool *pgxpool.Pool) *Contacts { return &Contacts{pool: pool} }

// Contacts is the service's contacts.
func (s *Service) Contacts() *Contacts { return NewContacts(s.pool) }

// AccountOwner is the account's first enabled owner.
func (c *Contacts) AccountOwner(ctx context.Context, accountID int64) (Contact, error) {
	var ct Contact
	err := c.pool.QueryRow(ctx, `SELECT email, name FROM users WHERE account_id = $1 AND role = 'mailer_owner' AND NOT disabled ORDER BY id LIMIT 1`,
		accountID).Scan(&ct.Email, &ct.Name)
	if errors.Is(err, pgx.ErrNoRows) {
		return Contact{}, apperr.NotFound("The account has no owner to write to.")
	}
	if err != nil {
		return Contact{}, fmt.Errorf("accounts: owner of account %d: %w", accountID, err)
	}
	return ct, nil
}
