package accounts

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"indicia/apperr"
)

// People read an account by its customer ID (the number on the mailer's
// dashboard and invoices); the internal id is the database's and appears in
// no page. These helpers let vendor pages show and take the customer ID.

// canSeeAll reports the roles that see every master account.
func canSeeAll(actor User) bool {
	return actor.Role == RoleAdmin || actor.Role == RoleStaff || actor.Role == RoleSystem
}

// AccountByCustomerID loads a master account by its customer ID. field names
// the form or API field the number was typed in, for the message when there
// is no such account.
func (s *Service) AccountByCustomerID(ctx context.Context, actor User, field string, customerID int64) (Account, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `SELECT id FROM master_accounts WHERE customer_id = $1`, customerID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && !canSeeAll(actor) && actor.AccountID != id) {
		return Account{}, apperr.Invalid(field, "No master account has customer ID "+strconv.FormatInt(customerID, 10)+". The customer ID is the number on the mailer's dashboard, like 100001.")
	}
	if err != nil {
		return Account{}, fmt.Errorf("accounts: find customer %d: %w", customerID, err)
	}
	return s.Account(ctx, actor, id)
}

// AccountsByID loads the master accounts with the given internal ids that
// the actor may see, keyed by id (unknown ids are left out).
func (s *Service) AccountsByID(ctx context.Context, actor User, ids []int64) (map[int64]Account, error) {
	out := map[int64]Account{}
	var want []int64
	for _, id := range ids {
		if id != 0 && (canSeeAll(actor) || actor.AccountID == id) {
			want = append(want, id)
		}
	}
	if len(want) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT id, customer_id, company FROM master_accounts WHERE id = ANY($1)`, want)
	if err != nil {
		return nil, fmt.Errorf("accounts: load accounts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a Account
		if err := rows.Scan(&a.ID, &a.CustomerID, &a.Company); err != nil {
			return nil, fmt.Errorf("accounts: load accounts: %w", err)
		}
		out[a.ID] = a
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("accounts: load accounts: %w", err)
	}
	return out, nil
}
