package metering

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
)

// TxView is one signed transaction record as a screen shows it.
type TxView struct {
	Kind        string
	Time        time.Time
	Amount      int64
	PieceNumber int64
	Detail      string
	Hash        []byte
}

// Transactions lists a meter's newest signed records.
func (s *Service) Transactions(ctx context.Context, actor accounts.User, meterID int64, limit int) ([]TxView, error) {
	if _, err := s.Meter(ctx, actor, meterID); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT kind, at, amount, piece_number, CASE WHEN kind = 'credit' THEN transfer_id ELSE detail END, hash
		FROM meter_transactions WHERE meter_id = $1 ORDER BY id DESC LIMIT $2`, meterID, limit)
	if err != nil {
		return nil, fmt.Errorf("metering: transactions: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (TxView, error) {
		var t TxView
		err := r.Scan(&t.Kind, &t.Time, &t.Amount, &t.PieceNumber, &t.Detail, &t.Hash)
		return t, err
	})
}

// MeterCertificates returns every meter certificate (PEM), for publication.
func (s *Service) MeterCertificates(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT cert_pem FROM meters ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("metering: certificates: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
