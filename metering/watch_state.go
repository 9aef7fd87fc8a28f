package metering

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Watched conditions: the periodic checks whose incidents email the vendor
// admins once each.
const (
	WatchBox         = "box_answers"
	WatchKeyRotation = "record_key_rotation"
)

// RecordWatch stores the outcome of a check of the named condition and
// reports whether it changed the stored state: a new incident (failing) or
// its end. When it did, onChange runs in the same transaction (to stage
// the email), so of several workers checking at once exactly one sees each
// change, a worker that restarts does not see it again, and a crash before
// the commit leaves neither the change nor the email. A condition never
// checked before counts as healthy.
func (s *Service) RecordWatch(ctx context.Context, name string, failing bool, detail string, onChange func(ctx context.Context, tx pgx.Tx) error) (bool, error) {
	changed := false
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO watch_states (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, name); err != nil {
			return err
		}
		// The row lock makes a second worker wait, then find the state
		// already changed and update nothing.
		tag, err := tx.Exec(ctx, `UPDATE watch_states SET failing = $2, detail = $3, changed_at = now() WHERE name = $1 AND failing <> $2`,
			name, failing, detail)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		changed = true
		return onChange(ctx, tx)
	})
	if err != nil {
		return false, fmt.Errorf("metering: record %s check: %w", name, err)
	}
	return changed, nil
}
