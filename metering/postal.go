package metering

import (
	"cmp"
	"context"
	"fmt"
	"slices"

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
	// Far enough ahead to hold every label: the periods are open-ended.
	end := now.AddDate(1, 0, 0)
	args, err := s.postalRowsArgs(ctx, now.AddDate(0, 0, -days), end, "")
	if err != nil {
		return nil, err
	}
	rows, err := s.reads().Query(ctx, `SELECT i.origin_zip, sum(i.pieces - i.voided)::bigint, sum(i.postage - i.voided_postage)::bigint, sum(i.voided)::bigint
		FROM (`+postalRows(rolledPerOrigin)+`) i GROUP BY 1 HAVING sum(i.pieces) > 0`, pgx.QueryExecModeExec, args)
	if err != nil {
		return nil, fmt.Errorf("metering: volumes by origin: %w", err)
	}
	vols, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (OriginVolume, error) {
		var v OriginVolume
		err := r.Scan(&v.OriginZIP, &v.Pieces, &v.Postage, &v.Voided)
		return v, err
	})
	if err != nil {
		return nil, fmt.Errorf("metering: volumes by origin: %w", err)
	}
	if args, err = s.postalRowsArgs(ctx, now.AddDate(0, 0, -28), end, ""); err != nil {
		return nil, err
	}
	rows, err = s.reads().Query(ctx, `SELECT i.origin_zip, sum(i.pieces - i.voided)::bigint
		FROM (`+postalRows(rolledPerOrigin)+`) i GROUP BY 1 HAVING sum(i.pieces) > 0`, pgx.QueryExecModeExec, args)
	if err != nil {
		return nil, fmt.Errorf("metering: volumes by origin: %w", err)
	}
	at := make(map[string]int, len(vols))
	for i, v := range vols {
		at[v.OriginZIP] = i
	}
	var zip string
	var n int64
	if _, err := pgx.ForEachRow(rows, []any{&zip, &n}, func() error {
		i, ok := at[zip]
		if !ok {
			// An origin with labels in the last four weeks only.
			i = len(vols)
			at[zip] = i
			vols = append(vols, OriginVolume{OriginZIP: zip})
		}
		vols[i].Forecast = float64(n) / 4
		return nil
	}); err != nil {
		return nil, fmt.Errorf("metering: volumes by origin: %w", err)
	}
	slices.SortFunc(vols, func(a, b OriginVolume) int {
		if c := cmp.Compare(b.Postage, a.Postage); c != 0 {
			return c
		}
		return cmp.Compare(a.OriginZIP, b.OriginZIP)
	})
	return vols, nil
}
