package coa

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// scopeDepth is how many moves back from a list's addresses a run looks for
// entries: an entry at A is in scope when A→B→…→(a list's address) takes at
// most this many moves.
const scopeDepth = 4

// scopeListKeys writes coa_keys: the old addresses of the lists' records,
// and the addresses that moved to them, up to scopeDepth moves back. It
// walks one level at a time and follows only addresses not seen before
// (the level a key is first reached at is its shortest path, so the set is
// the same as following every path), and it stops at the first level that
// adds nothing: no second pass to remove duplicates.
func scopeListKeys(ctx context.Context, tx pgx.Tx, lists []int64) error {
	t0 := time.Now()
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE coa_keys ON COMMIT DROP AS
		SELECT DISTINCT old_key AS key, 0 AS depth FROM coa_records WHERE list_id = ANY($1)`, lists); err != nil {
		return fmt.Errorf("scope keys: %w", err)
	}
	for depth := 1; depth <= scopeDepth; depth++ {
		tag, err := tx.Exec(ctx, `INSERT INTO coa_keys (key, depth)
			SELECT DISTINCT r.old_key, $1::int FROM coa_keys b JOIN coa_records r ON r.new_key = b.key
			WHERE b.depth = $1::int - 1 AND r.new_key <> ''
			AND NOT EXISTS (SELECT 1 FROM coa_keys s WHERE s.key = r.old_key)`, depth)
		if err != nil {
			return fmt.Errorf("scope keys: depth %d: %w", depth, err)
		}
		if tag.RowsAffected() == 0 {
			break
		}
	}
	slog.Debug("coa: match step", "step", "scope keys", "seconds", time.Since(t0).Seconds())
	if _, err := tx.Exec(ctx, `ANALYZE coa_keys`); err != nil {
		return fmt.Errorf("scope keys: analyze: %w", err)
	}
	return nil
}
