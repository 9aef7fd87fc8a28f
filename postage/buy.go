package postage

import (
	"context"
	"errors"

	"indicia/accounts"
	"indicia/metering"
)

// Buy prices the order and buys it: one piece or a batch, on one meter, in
// one purchase. A moved recipient is refused (*MovedError, which is
// ErrRecipientMoved) unless its piece accepts the move; nothing is bought
// then. With an idempotency key a retry returns the same labels.
func (s *Service) Buy(ctx context.Context, u accounts.User, o Order) (metering.Purchase, error) {
	q, err := s.price(ctx, u, o)
	if err != nil {
		return metering.Purchase{}, err
	}
	return s.BuyQuote(ctx, u, q)
}

// BuyQuote buys what Quote priced (a page shows the price, then buys it
// without cleansing and rating again), under the same rule for moves.
func (s *Service) BuyQuote(ctx context.Context, u accounts.User, q Quote) (metering.Purchase, error) {
	if q.PriceOnly {
		return metering.Purchase{}, errors.New("postage: a price-only quote cannot be bought")
	}
	if err := refuseMoved(q); err != nil {
		return metering.Purchase{}, err
	}
	req := metering.PurchaseRequest{MeterID: q.Meter.ID, IdempotencyKey: q.IdempotencyKey, Pieces: make([]metering.PieceRequest, len(q.Pieces))}
	for i, p := range q.Pieces {
		req.Pieces[i] = p.Request
	}
	return s.d.Buyer.Buy(ctx, u, req)
}
