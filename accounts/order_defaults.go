package accounts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// OrderDefaults is what a purchase that names no cost code and no ship-from
// address needs of its account: whether a cost code is required, and the
// default ship-from lines (nil: the label prints the account's address).
type OrderDefaults struct {
	CostCodeRequired bool
	ShipFrom         []string
}

// OrderDefaults reads both in one query, so the common purchase (no code,
// the default address) costs one round trip instead of two. It gives what
// CostCodeRequired and ShipFrom(…, 0) give for the actor.
func (s *ReturnAddresses) OrderDefaults(ctx context.Context, actor User) (OrderDefaults, error) {
	if actor.AccountID == 0 {
		return OrderDefaults{}, nil
	}
	var d OrderDefaults
	var lines []byte
	err := s.pool.QueryRow(ctx, `SELECT a.cost_code_required, r.lines FROM master_accounts a
		LEFT JOIN return_addresses r ON r.account_id = a.id AND r.is_default
		WHERE a.id = $1`, actor.AccountID).Scan(&d.CostCodeRequired, &lines)
	if errors.Is(err, pgx.ErrNoRows) {
		return OrderDefaults{}, nil
	}
	if err != nil {
		return OrderDefaults{}, fmt.Errorf("accounts: order defaults of account %d: %w", actor.AccountID, err)
	}
	if lines != nil && actor.Role.IsMailer() {
		if err := json.Unmarshal(lines, &d.ShipFrom); err != nil {
			return OrderDefaults{}, fmt.Errorf("accounts: default return address of account %d: %w", actor.AccountID, err)
		}
	}
	return d, nil
}
