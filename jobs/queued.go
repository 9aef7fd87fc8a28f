package jobs

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// QueuedFor returns the oldest job of the kind still queued for the account,
// in the caller's transaction, and whether there is one: a service that
// coalesces bursts of work submits a new job only when none is waiting.
func QueuedFor(ctx context.Context, tx pgx.Tx, kind string, accountID int64) (int64, bool, error) {
	var id int64
	err := tx.QueryRow(ctx, `SELECT id FROM jobs WHERE kind = $1 AND account_id = $2 AND status = 'queued' ORDER BY id LIMIT 1`,
		kind, accountID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("jobs: find queued %s job: %w", kind, err)
	}
	return id, true, nil
}

// DropQueued deletes, in the caller's transaction, the still-queued jobs of
// the kind whose payload equals payloadJSON (as JSON values), when a job
// staged since makes them redundant.
func DropQueued(ctx context.Context, tx pgx.Tx, kind, payloadJSON string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM jobs WHERE kind = $1 AND status = 'queued' AND payload = $2::jsonb`, kind, payloadJSON); err != nil {
		return fmt.Errorf("jobs: drop queued %s jobs: %w", kind, err)
	}
	return nil
}
