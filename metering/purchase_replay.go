package metering

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// replay answers an idempotent retry: the purchase stored under the
// request's idempotency key, if the same request made it (replayed true),
// or a conflict if a different one did. Without a key, or a key not used
// yet, there is nothing to replay. A key used by a request still in flight
// is found again under the meter's lock, with its group (dispense_decide.go).
func (s *Service) replay(ctx context.Context, p *pending) (Purchase, bool, error) {
	key := p.req.IdempotencyKey
	if key == "" {
		return Purchase{}, false, nil
	}
	var id int64
	var h []byte
	err := s.pool.QueryRow(ctx, `SELECT id, request_hash FROM purchases WHERE account_id = $1 AND idempotency_key = $2`, p.actor.AccountID, key).Scan(&id, &h)
	if errors.Is(err, pgx.ErrNoRows) {
		return Purchase{}, false, nil
	}
	if err != nil {
		return Purchase{}, false, fmt.Errorf("metering: look up idempotency key: %w", err)
	}
	if string(h) != string(p.hash) {
		return Purchase{}, true, idemConflict()
	}
	res, err := s.loadPurchase(ctx, id)
	res.Replayed = true
	return res, true, err
}
