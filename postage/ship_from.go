package postage

import (
	"context"

	"indicia/accounts"
)

// shipFrom resolves a piece's return address lines, remembering each one
// an order names.
func (s *Service) shipFrom(ctx context.Context, u accounts.User, seen map[int64][]string, field string, id int64) ([]string, error) {
	if s.d.ShipFrom == nil {
		return nil, nil
	}
	if lines, ok := seen[id]; ok {
		return lines, nil
	}
	lines, err := s.d.ShipFrom.ShipFrom(ctx, u, field, id)
	if err != nil {
		return nil, err
	}
	seen[id] = lines
	return lines, nil
}
