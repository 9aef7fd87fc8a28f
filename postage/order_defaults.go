package postage

import (
	"context"
	"strings"

	"indicia/accounts"
)

// OrderDefaults reads, in one query, whether the account requires a cost
// code and its default ship-from lines (accounts.ReturnAddresses fits).
type OrderDefaults interface {
	OrderDefaults(ctx context.Context, actor accounts.User) (accounts.OrderDefaults, error)
}

// preloadDefaults fills the order's cost-code and ship-from memos with what
// a piece that names neither resolves to, from one query instead of one per
// kind. A required cost code is left to ResolveCostCode, whose refusal
// names the piece's field.
func (s *Service) preloadDefaults(ctx context.Context, u accounts.User, o Order, codes map[string]accounts.CostCode, froms map[int64][]string) error {
	if s.d.Defaults == nil || u.AccountID == 0 {
		return nil
	}
	var noCode, noFrom bool
	for _, p := range o.Pieces {
		noCode = noCode || (s.d.CostCodes != nil && !o.PriceOnly && strings.TrimSpace(p.CostCode) == "")
		noFrom = noFrom || (s.d.ShipFrom != nil && p.ShipFromID == 0)
	}
	if !noCode && !noFrom {
		return nil
	}
	d, err := s.d.Defaults.OrderDefaults(ctx, u)
	if err != nil {
		return err
	}
	if noCode && !d.CostCodeRequired {
		codes[""] = accounts.CostCode{}
	}
	if noFrom {
		froms[0] = d.ShipFrom
	}
	return nil
}
