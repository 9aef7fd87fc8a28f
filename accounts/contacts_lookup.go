package accounts

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"indicia/db"
)

// These lookups answer other packages' questions about users and master
// accounts, so that only this package reads its tables. They take the
// caller's querier: the pool, or the caller's transaction.

// Contact is a user's name and email as another package shows them.
type Contact struct {
	Name  string
	Email string
}

// ContactsByID returns the name and email of each of the given users that
// still exists, keyed by id (0 and unknown ids are left out).
func ContactsByID(ctx context.Context, q db.Querier, ids []int64) (map[int64]Contact, error) {
	out := map[int64]Contact{}
	var want []int64
	for _, id := range ids {
		if id != 0 {
			want = append(want, id)
		}
	}
	if len(want) == 0 {
		return out, nil
	}
	rows, err := q.Query(ctx, `SELECT id, name, email FROM users WHERE id = ANY($1)`, want)
	if err != nil {
		return nil, fmt.Errorf("accounts: load contacts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var c Contact
		if err := rows.Scan(&id, &c.Name, &c.Email); err != nil {
			return nil, fmt.Errorf("accounts: load contacts: %w", err)
		}
		out[id] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("accounts: load contacts: %w", err)
	}
	return out, nil
}

// OwnerEmail returns the email of the account's first owner ("" when the
// account has none).
func OwnerEmail(ctx context.Context, q db.RowQuerier, accountID int64) (string, error) {
	var email string
	err := q.QueryRow(ctx, `SELECT email FROM users WHERE account_id = $1 AND role = $2 ORDER BY id LIMIT 1`, accountID, string(RoleOwner)).Scan(&email)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("accounts: owner of account %d: %w", accountID, err)
	}
	return email, nil
}

// CompanyAndOwnerEmail returns the account's company name and its first
// owner's email ("" when it has none); it fails when there is no such account.
func CompanyAndOwnerEmail(ctx context.Context, q db.RowQuerier, accountID int64) (company, email string, err error) {
	err = q.QueryRow(ctx, `SELECT a.company, coalesce((SELECT u.email FROM users u WHERE u.account_id = a.id AND u.role = $2 ORDER BY u.id LIMIT 1), '')
		FROM master_accounts a WHERE a.id = $1`, accountID, string(RoleOwner)).Scan(&company, &email)
	if err != nil {
		return "", "", fmt.Errorf("accounts: load account %d: %w", accountID, err)
	}
	return company, email, nil
}

// AdminEmails lists the emails of the vendor admins who are not disabled.
func AdminEmails(ctx context.Context, q db.Querier) ([]string, error) {
	rows, err := q.Query(ctx, `SELECT email FROM users WHERE role = $1 AND NOT disabled ORDER BY id`, string(RoleAdmin))
	if err != nil {
		return nil, fmt.Errorf("accounts: admin emails: %w", err)
	}
	emails, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("accounts: admin emails: %w", err)
	}
	return emails, nil
}

// AccountExists reports whether a master account has this id.
func AccountExists(ctx context.Context, q db.RowQuerier, accountID int64) (bool, error) {
	var exists bool
	if err := q.QueryRow(ctx, `SELECT EXISTS(SELECT 1 FROM master_accounts WHERE id = $1)`, accountID).Scan(&exists); err != nil {
		return false, fmt.Errorf("accounts: check account %d: %w", accountID, err)
	}
	return exists, nil
}

// ActiveOwner returns the name and email of the account's first owner who is
// not disabled; found is false when there is none.
func ActiveOwner(ctx context.Context, q db.RowQuerier, accountID int64) (c Contact, found bool, err error) {
	err = q.QueryRow(ctx, `SELECT name, email FROM users WHERE account_id = $1 AND role = $2 AND NOT disabled ORDER BY id LIMIT 1`,
		accountID, string(RoleOwner)).Scan(&c.Name, &c.Email)
	if errors.Is(err, pgx.ErrNoRows) {
		return Contact{}, false, nil
	}
	if err != nil {
		return Contact{}, false, fmt.Errorf("accounts: owner of account %d: %w", accountID, err)
	}
	return c, true, nil
}
