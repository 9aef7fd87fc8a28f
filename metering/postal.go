package metering

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
)

// OriginVolume is mail volume and postage for one origin post office (ZIP).
type OriginVolume struct {
	OriginZIP string
	Pieces    int64
	Postage   int64
	Voided    int64
	// Forecast is the pieces expected over the next 7 days: the pieces issued
	// in the last 28 days ÷ 4, their weekly mean, a plain baseline a clerk
	// can check by hand. Not rounded: 3 pieces in four weeks is 0.75 a week,
	// and an integer would say 0. Voided labels were never mailed and do not
	// count.
	Forecast float64
}

func requirePostal(actor accounts.User) error {
	switch actor.Role {
	case accounts.RoleStaff, accounts.RoleAdmin, accounts.RoleSystem:
		return nil
	}
	return apperr.Forbidden("Only postal staff and vendor admins see postal reports.")
}

// VolumesByOrigin sums the indicia issued in the last days, per origin ZIP.
func (s *Service) VolumesByOrigin(ctx context.Context, actor accounts.User, days int) ([]OriginVolume, error) {
	if err := requirePostal(actor); err != nil {
		return nil, err
	}
	if days < 1 || days > 366 {
		return nil, apperr.Invalid("days", "Choose between 1 and 366 days.")
	}
	now := s.now()
	rows, err := s.pool.Query(ctx, `SELECT origin_zip,
			count(*) FILTER (WHERE status = 'issued' AND created_at >= $1),
			COALESCE(sum(postage) FILTER (WHERE status = 'issued' AND created_at >= $1), 0),
			count(*) FILTER (WHERE status = 'voided' AND created_at >= $1),
			(count(*) FILTER (WHERE status = 'issued' AND created_at >= $2))::float8 / 4
		FROM indicia WHERE created_at >= LEAST($1, $2)
		GROUP BY origin_zip ORDER BY 3 DESC, 1`, now.AddDate(0, 0, -days), now.AddDate(0, 0, -28))
	if err != nil {
		return nil, fmt.Errorf("metering: volumes by origin: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (OriginVolume, error) {
		var v OriginVolume
		err := r.Scan(&v.OriginZIP, &v.Pieces, &v.Postage, &v.Voided, &v.Forecast)
		return v, err
	})
}
