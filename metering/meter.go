package metering

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/metering/box"
)

// Meter is a meter as the data center shows it.
type Meter struct {
	ID         int64
	Record     box.Record
	CertPEM    string
	TamperHold string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Floating reports a meter whose origin ZIP the mailer picks per purchase.
func (m Meter) Floating() bool { return m.Record.OriginZIP == box.FloatingOrigin }

const meterColumns = `id, serial, mfg_number, account_id, origin_zip, status, suspend_reason, ar, dr, piece_count, counter,
	wrapped_key, key_version, mac_version, chain_head, mac, cert_pem, tamper_hold, created_at, updated_at`

func scanMeter(r pgx.Row) (Meter, error) {
	var m Meter
	rec := &m.Record
	err := r.Scan(&m.ID, &rec.Serial, &rec.MfgNumber, &rec.AccountID, &rec.OriginZIP, &rec.Status, &rec.SuspendReason,
		&rec.AR, &rec.DR, &rec.PieceCount, &rec.Counter, &rec.WrappedKey, &rec.KeyVersion, &rec.MACVersion, &rec.ChainHead, &rec.MAC,
		&m.CertPEM, &m.TamperHold, &m.CreatedAt, &m.UpdatedAt)
	return m, err
}

func lockMeter(ctx context.Context, tx pgx.Tx, id int64) (Meter, error) {
	m, err := scanMeter(tx.QueryRow(ctx, `SELECT `+meterColumns+` FROM meters WHERE id = $1 FOR UPDATE`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Meter{}, apperr.NotFound("No such meter.")
	}
	if err != nil {
		return Meter{}, fmt.Errorf("metering: lock meter %d: %w", id, err)
	}
	return m, nil
}

// storeRecord writes the box's new record over the meter's columns.
func storeRecord(ctx context.Context, tx pgx.Tx, id int64, r box.Record, now time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE meters SET origin_zip=$2, status=$3, suspend_reason=$4, ar=$5, dr=$6, piece_count=$7, counter=$8,
		wrapped_key=$9, key_version=$10, mac_version=$11, chain_head=$12, mac=$13, account_id=$14, updated_at=$15 WHERE id=$1`,
		id, r.OriginZIP, r.Status, r.SuspendReason, r.AR, r.DR, r.PieceCount, r.Counter, r.WrappedKey, r.KeyVersion, r.MACVersion,
		r.ChainHead, r.MAC, r.AccountID, now)
	if err != nil {
		return fmt.Errorf("metering: store record %s: %w", r.Serial, err)
	}
	return nil
}

// queueRecord is storeRecord for a pipelined batch.
func queueRecord(b *pgx.Batch, id int64, r box.Record, now time.Time) {
	b.Queue(`UPDATE meters SET origin_zip=$2, status=$3, suspend_reason=$4, ar=$5, dr=$6, piece_count=$7, counter=$8,
		wrapped_key=$9, key_version=$10, mac_version=$11, chain_head=$12, mac=$13, account_id=$14, updated_at=$15 WHERE id=$1`,
		id, r.OriginZIP, r.Status, r.SuspendReason, r.AR, r.DR, r.PieceCount, r.Counter, r.WrappedKey, r.KeyVersion, r.MACVersion,
		r.ChainHead, r.MAC, r.AccountID, now)
}

var txColumns = []string{"meter_id", "kind", "counter", "at", "indicium_date", "origin_zip", "delivery_zip", "amount", "piece_number",
	"transfer_id", "detail", "prev_hash", "hash", "signature"}

// insertTxRecords stores signed transaction records in chain order (COPY for batches).
func insertTxRecords(ctx context.Context, tx pgx.Tx, meterID int64, recs []box.TxRecord) error {
	rows := make([][]any, len(recs))
	for i, r := range recs {
		rows[i] = []any{meterID, r.Kind, r.Counter, r.Time, r.IndiciumDate, r.OriginZIP, r.DeliveryZIP, r.Amount, r.PieceNumber,
			r.TransferID, r.Detail, r.PrevHash, r.Hash, r.Signature}
	}
	if len(rows) < 8 {
		for _, row := range rows {
			if _, err := tx.Exec(ctx, `INSERT INTO meter_transactions (meter_id, kind, counter, at, indicium_date, origin_zip, delivery_zip,
				amount, piece_number, transfer_id, detail, prev_hash, hash, signature) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`, row...); err != nil {
				return fmt.Errorf("metering: insert transaction record: %w", err)
			}
		}
		return nil
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"meter_transactions"}, txColumns, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("metering: copy transaction records: %w", err)
	}
	return nil
}

// canSee reports whether actor may see meters of account.
func canSee(actor accounts.User, accountID int64) bool {
	switch actor.Role {
	case accounts.RoleAdmin, accounts.RoleStaff, accounts.RoleSystem:
		return true
	}
	return actor.Role.IsMailer() && actor.AccountID == accountID
}

// Meter returns one meter the actor may see.
func (s *Service) Meter(ctx context.Context, actor accounts.User, id int64) (Meter, error) {
	m, err := scanMeter(s.pool.QueryRow(ctx, `SELECT `+meterColumns+` FROM meters WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && !canSee(actor, m.Record.AccountID)) {
		return Meter{}, apperr.NotFound("No such meter.")
	}
	if err != nil {
		return Meter{}, fmt.Errorf("metering: load meter %d: %w", id, err)
	}
	return m, nil
}

// MeterBySerial returns one meter by its serial number.
func (s *Service) MeterBySerial(ctx context.Context, actor accounts.User, serial string) (Meter, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `SELECT id FROM meters WHERE serial = $1`, serial).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return Meter{}, apperr.NotFound("No meter has serial " + serial + ".")
	}
	if err != nil {
		return Meter{}, fmt.Errorf("metering: find meter %s: %w", serial, err)
	}
	return s.Meter(ctx, actor, id)
}

// Meters lists the meters of an account (0: all, for admins and postal staff).
func (s *Service) Meters(ctx context.Context, actor accounts.User, accountID int64) ([]Meter, error) {
	if accountID == 0 && !canSee(actor, -1) {
		accountID = actor.AccountID
	}
	if accountID != 0 && !canSee(actor, accountID) {
		return nil, apperr.NotFound("No such account.")
	}
	q, args := `SELECT `+meterColumns+` FROM meters ORDER BY id`, []any{}
	if accountID != 0 {
		q, args = `SELECT `+meterColumns+` FROM meters WHERE account_id = $1 ORDER BY id`, []any{accountID}
	}
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("metering: list meters: %w", err)
	}
	defer rows.Close()
	var out []Meter
	for rows.Next() {
		m, err := scanMeter(rows)
		if err != nil {
			return nil, fmt.Errorf("metering: scan meter: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// DefaultMeter is the account's first active meter, used when a purchase names none.
func (s *Service) DefaultMeter(ctx context.Context, actor accounts.User) (Meter, error) {
	m, err := scanMeter(s.pool.QueryRow(ctx, `SELECT `+meterColumns+` FROM meters WHERE account_id = $1 AND status = 'active' AND tamper_hold = ''
		ORDER BY id LIMIT 1`, actor.AccountID))
	if errors.Is(err, pgx.ErrNoRows) {
		return Meter{}, apperr.Conflict("meter", "Your account has no active meter. Ask your vendor to activate one.")
	}
	if err != nil {
		return Meter{}, fmt.Errorf("metering: default meter: %w", err)
	}
	return m, nil
}
