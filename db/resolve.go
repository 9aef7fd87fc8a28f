package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/apperr"
)

// Resolvable is a table of alerts that staff close with a written
// resolution: its rows have id, resolved_at, resolved_by (a user, or NULL)
// and resolution. The package that owns the table declares it once, with the
// messages its users see.
type Resolvable struct {
	Table    string // a constant of the owning package, never user input
	NotFound string // message when no row has the id
	Resolved string // message when the row was already resolved
}

// Resolve closes row id once: it is one conditional UPDATE, so when two
// people resolve the same row at once exactly one succeeds and the other gets
// a conflict instead of overwriting the first resolution. by is the acting
// user's id, 0 for none. It returns nil when this call resolved the row, an
// apperr not-found or conflict, or a database error.
func (r Resolvable) Resolve(ctx context.Context, q Querier, id int64, at time.Time, by int64, note string) error {
	var byID any
	if by != 0 {
		byID = by
	}
	tag, err := q.Exec(ctx, `UPDATE `+r.Table+` SET resolved_at = $2, resolved_by = $3, resolution = $4
		WHERE id = $1 AND resolved_at IS NULL`, id, at, byID, note)
	if err != nil {
		return fmt.Errorf("resolve %s %d: %w", r.Table, id, err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var one int
	err = q.QueryRow(ctx, `SELECT 1 FROM `+r.Table+` WHERE id = $1`, id).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return apperr.NotFound(r.NotFound)
	}
	if err != nil {
		return fmt.Errorf("load %s %d: %w", r.Table, id, err)
	}
	return apperr.Conflict("", r.Resolved)
}
