package jobs

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// QueuedOf returns the oldest job of this kind still queued for the account,
// inside the caller's transaction (a burst of requests then shares one job).
// found is false when there is none.
func QueuedOf(ctx context.Context, tx pgx.Tx, kind string, accountID int64) (id int64, found bool, err error) {
	err = tx.QueryRow(ctx, `SELECT id FROM jobs WHERE kind = $1 AND account_id = $2 AND status = 'queued' ORDER BY id LIMIT 1`,
		kind, accountID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("jobs: find queued %s: %w", kind, err)
	}
	return id, true, nil
}

// DropQueued deletes the queued jobs of this kind whose payload equals the
// given JSON, inside the caller's transaction: a job staged in the same
// transaction that another job already covers.
func DropQueued(ctx context.Context, tx pgx.Tx, kind, payloadJSON string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM jobs WHERE kind = $1 AND status = 'queued' AND payload = $2::jsonb`, kind, payloadJSON); err != nil {
		return fmt.Errorf("jobs: drop queued %s: %w", kind, err)
	}
	return nil
}
