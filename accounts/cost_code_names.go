package accounts

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"indicia/db"
)

// CostCodeName is a cost code as a report's filter offers it.
type CostCodeName struct {
	ID       int64
	Name     string
	Code     string
	Archived bool
}

// CostCodeNames lists an account's cost codes, archived ones too (old
// labels keep theirs), by name.
func CostCodeNames(ctx context.Context, q db.Querier, accountID int64) ([]CostCodeName, error) {
	rows, err := q.Query(ctx, `SELECT id, name, code, archived_at IS NOT NULL FROM cost_codes WHERE account_id = $1 ORDER BY lower(name), id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("accounts: cost code names: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (CostCodeName, error) {
		var c CostCodeName
		return c, r.Scan(&c.ID, &c.Name, &c.Code, &c.Archived)
	})
}

// UserName is a user as a report's filter offers it.
type UserName struct {
	ID   int64
	Name string
}

// UserNames lists the users of an account by name, for choosing one in a
// report (reading reports does not need "Manage users").
func UserNames(ctx context.Context, q db.Querier, accountID int64) ([]UserName, error) {
	rows, err := q.Query(ctx, `SELECT id, name FROM users WHERE account_id = $1 ORDER BY lower(name), id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("accounts: user names: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (UserName, error) {
		var u UserName
		return u, r.Scan(&u.ID, &u.Name)
	})
}
