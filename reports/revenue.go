package reports

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
)

// RevenueRow is the post's revenue from one meter at one origin post office.
type RevenueRow struct {
	OriginZIP     string
	MeterSerial   string
	Pieces        int64
	Postage       int64
	VoidedPieces  int64
	VoidedPostage int64
}

// Net is the postage kept: what the post office is owed.
func (r RevenueRow) Net() int64 { return r.Postage - r.VoidedPostage }

// RevenueHeader names the revenue report's columns in its downloads.
var RevenueHeader = []string{"origin_zip", "meter_serial", "pieces", "postage", "voided_pieces", "voided_postage", "net_postage"}

// Cells is the row as download cells.
func (r RevenueRow) Cells() []string {
	return []string{r.OriginZIP, r.MeterSerial, strconv.FormatInt(r.Pieces, 10), Dollars(r.Postage), strconv.FormatInt(r.VoidedPieces, 10),
		Dollars(r.VoidedPostage), Dollars(r.Net())}
}

// Revenue is postage by origin post office and meter over the period, for
// postal staff and vendor admins, across every account. The filter's
// meter, class and origin ZIP narrow it.
func (s *Service) Revenue(ctx context.Context, actor accounts.User, f Filter) ([]RevenueRow, error) {
	switch actor.Role {
	case accounts.RoleStaff, accounts.RoleAdmin, accounts.RoleSystem:
	default:
		return nil, apperr.Forbidden("Revenue by post office is for postal staff.")
	}
	f.AccountID, f.UserID, f.CostCodeID = 0, 0, 0
	w := pieces(f)
	rows, err := s.read.Query(ctx, `SELECT i.origin_zip, m.serial, count(*), sum(i.postage)::bigint,
		count(*) FILTER (WHERE i.status = 'voided'), coalesce(sum(i.postage) FILTER (WHERE i.status = 'voided'), 0)::bigint
		FROM indicia i JOIN meters m ON m.id = i.meter_id WHERE `+w.String()+` GROUP BY 1, 2 ORDER BY 1, 2`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("reports: revenue: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (RevenueRow, error) {
		var x RevenueRow
		return x, r.Scan(&x.OriginZIP, &x.MeterSerial, &x.Pieces, &x.Postage, &x.VoidedPieces, &x.VoidedPostage)
	})
	if err != nil {
		return nil, fmt.Errorf("reports: revenue: %w", err)
	}
	return out, nil
}
