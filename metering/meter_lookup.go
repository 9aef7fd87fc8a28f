package metering

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"indicia/db"
)

// These lookups answer other packages' questions about meters (payments
// funds them), so that only this package reads the meters table. They take
// the caller's querier: the pool, or the caller's transaction, so a read
// stays inside the transaction that decides on it.

// MeterState is what another package needs of a meter: its owner, serial,
// status and balance, without the signed record.
type MeterState struct {
	ID         int64
	AccountID  int64
	Serial     string
	Status     string
	TamperHold string
	// DR is the descending register: the postage left, in cents.
	DR int64
}

const meterStateColumns = `id, account_id, serial, status, tamper_hold, dr`

func scanMeterState(r pgx.Row) (MeterState, error) {
	var m MeterState
	err := r.Scan(&m.ID, &m.AccountID, &m.Serial, &m.Status, &m.TamperHold, &m.DR)
	return m, err
}

// MeterStateOf reads one meter; the error wraps pgx.ErrNoRows when there is none.
func MeterStateOf(ctx context.Context, q db.RowQuerier, meterID int64) (MeterState, error) {
	m, err := scanMeterState(q.QueryRow(ctx, `SELECT `+meterStateColumns+` FROM meters WHERE id = $1`, meterID))
	if err != nil {
		return MeterState{}, fmt.Errorf("metering: read meter %d: %w", meterID, err)
	}
	return m, nil
}

// MeterStates reads the given meters, keyed by id (unknown ids are left out).
func MeterStates(ctx context.Context, q db.Querier, ids []int64) (map[int64]MeterState, error) {
	out := map[int64]MeterState{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.Query(ctx, `SELECT `+meterStateColumns+` FROM meters WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("metering: read meters: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		m, err := scanMeterState(rows)
		if err != nil {
			return nil, fmt.Errorf("metering: read meters: %w", err)
		}
		out[m.ID] = m
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("metering: read meters: %w", err)
	}
	return out, nil
}

// PurchaseMeterID picks the meter a purchase of the account goes to: the
// named one when meterID is not 0 (whatever its status: the purchase then
// says why it cannot buy), otherwise the account's first active meter that
// is not held for tamper. found is false when there is none.
func PurchaseMeterID(ctx context.Context, q db.RowQuerier, accountID, meterID int64) (id int64, found bool, err error) {
	err = q.QueryRow(ctx, `SELECT id FROM meters
		WHERE account_id = $1 AND ($2 = 0 AND status = 'active' AND tamper_hold = '' OR id = $2)
		ORDER BY id LIMIT 1`, accountID, meterID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("metering: meter of purchase: %w", err)
	}
	return id, true, nil
}
