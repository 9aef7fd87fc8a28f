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
	// The spend rollup holds every piece's day, meter, origin and class with
	// its voided part, kept in the purchase and void transactions: a month
	// of every account is a row per meter, day and class, not per piece.
	w := rollupWhere(f)
	rows, err := s.read.Query(ctx, `SELECT r.origin_zip, m.serial, sum(r.pieces)::bigint, sum(r.postage)::bigint,
		sum(r.voided_pieces)::bigint, sum(r.voided_postage)::bigint
		FROM spend_rollup r JOIN meters m ON m.id = r.meter_id WHERE `+w.String()+`
		GROUP BY 1, 2 HAVING sum(r.pieces) <> 0 OR sum(r.voided_pieces) <> 0 ORDER BY 1, 2`, w.args...)
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
