package metering

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pipeTx is the cross-meter transaction with two round trips to PostgreSQL
// instead of four: BEGIN travels in one batch with the statement that locks
// the meters, and COMMIT in one batch with the statements that store the
// dispense. On a hot meter every round trip is on the critical path of the
// next group, so two fewer per group shorten every purchase's wait.
//
// If any statement of the last batch fails, PostgreSQL skips the rest of it,
// COMMIT included, and abort rolls back; a COMMIT that fails (a deferred
// check) has already rolled back. Either way the box holds a pending step per
// meter that the database never committed, which each meter's next request
// resolves as a rollback, exactly as after a failed pgx transaction.
type pipeTx struct {
	conn *pgxpool.Conn
}

// beginLocked acquires a connection, begins and locks the meters in id order.
func beginLocked(ctx context.Context, pool *pgxpool.Pool, ids []int64) (*pipeTx, map[int64]Meter, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("metering: lock meters: %w", err)
	}
	t := &pipeTx{conn: conn}
	out := make(map[int64]Meter, len(ids))
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	b.Queue(lockMetersSQL, ids).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			m, err := scanMeter(rows)
			if err != nil {
				return err
			}
			out[m.ID] = m
		}
		return rows.Err()
	})
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		t.abort(ctx)
		return nil, nil, fmt.Errorf("metering: lock meters: %w", err)
	}
	return t, out, nil
}

// Query runs a query inside the transaction (resolveKeys).
func (t *pipeTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return t.conn.Query(ctx, sql, args...)
}

// commitWith sends b followed by COMMIT and releases the connection.
func (t *pipeTx) commitWith(ctx context.Context, b *pgx.Batch) error {
	b.Queue("COMMIT")
	err := t.conn.SendBatch(ctx, b).Close()
	if err == nil && t.conn.Conn().PgConn().TxStatus() != 'I' {
		// COMMIT answered "ROLLBACK": the transaction had failed.
		err = fmt.Errorf("metering: commit: transaction rolled back")
	}
	if err != nil {
		t.abort(ctx)
		return fmt.Errorf("metering: store dispense: %w", err)
	}
	t.conn.Release()
	return nil
}

// abort rolls back, if a transaction is still open, and releases the
// connection (the pool drops a connection left inside a transaction).
func (t *pipeTx) abort(ctx context.Context) {
	if st := t.conn.Conn().PgConn().TxStatus(); st == 'T' || st == 'E' {
		if _, err := t.conn.Exec(context.WithoutCancel(ctx), "ROLLBACK"); err != nil {
			slog.WarnContext(ctx, "metering: roll back cross-meter transaction", "err", err)
		}
	}
	t.conn.Release()
}
