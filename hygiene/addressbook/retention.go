package addressbook

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/db"
)

// PurgeInputs deletes the uploaded addresses (rows and results, personal
// data) of batches that finished before cutoff; the batch itself and its
// counts stay. It returns how many input rows it deleted.
func (b *Batches) PurgeInputs(ctx context.Context, cutoff time.Time) (int64, error) {
	var n int64
	err := db.Transact(ctx, b.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM cleanse_results WHERE batch_id IN (SELECT id FROM cleanse_batches WHERE finished_at < $1)`, cutoff); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM cleanse_rows WHERE batch_id IN (SELECT id FROM cleanse_batches WHERE finished_at < $1)`, cutoff)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("addressbook: purge batch inputs: %w", err)
	}
	return n, nil
}
