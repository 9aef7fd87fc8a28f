package accounts

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"indicia/apperr"
)

const userColumns = `id, COALESCE(account_id, 0), email, name, role, permissions, disabled, invite_hash IS NOT NULL, created_at, email_verified_at IS NOT NULL`

// userColumnsU is userColumns for a query that aliases users as u.
const userColumnsU = `u.id, COALESCE(u.account_id, 0), u.email, u.name, u.role, u.permissions, u.disabled, u.invite_hash IS NOT NULL, u.created_at, u.email_verified_at IS NOT NULL`

type rowScanner interface{ Scan(...any) error }

// scanUser reads userColumns, then any extra columns into extra.
func scanUser(r rowScanner, extra ...any) (User, error) {
	var u User
	var role string
	var perms []string
	err := r.Scan(append([]any{&u.ID, &u.AccountID, &u.Email, &u.Name, &role, &perms, &u.Disabled, &u.Invited, &u.CreatedAt, &u.EmailVerified}, extra...)...)
	u.Role = Role(role)
	for _, p := range perms {
		u.Permissions = append(u.Permissions, Permission(p))
	}
	return u, err
}

// User loads a user by ID (no authorization: callers are the session layer and jobs).
func (s *Service) User(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, apperr.NotFound("No such user.")
	}
	if err != nil {
		return User{}, fmt.Errorf("accounts: load user %d: %w", id, err)
	}
	return u, nil
}

// Account loads a master account the actor may see.
func (s *Service) Account(ctx context.Context, actor User, id int64) (Account, error) {
	if !(actor.Role == RoleAdmin || actor.Role == RoleStaff || actor.Role == RoleSystem || actor.AccountID == id) {
		return Account{}, apperr.NotFound("No such account.")
	}
	var a Account
	err := s.pool.QueryRow(ctx, `SELECT id, customer_id, company, address_line1, address_line2, city, state, zip, origin_zip, created_at
		FROM master_accounts WHERE id = $1`, id).Scan(&a.ID, &a.CustomerID, &a.Company, &a.Address.Line1, &a.Address.Line2,
		&a.Address.City, &a.Address.State, &a.Address.ZIP, &a.OriginZIP, &a.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Account{}, apperr.NotFound("No such account.")
	}
	if err != nil {
		return Account{}, fmt.Errorf("accounts: load account %d: %w", id, err)
	}
	return a, nil
}

func permStrings(ps []Permission) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, string(p))
	}
	return out
}
