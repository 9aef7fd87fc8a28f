package reports_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/reports"
)

// The revenue report, read from the spend rollup, equals the same report
// counted from the pieces, for the whole period and each narrowing, after
// purchases on two meters and voids.
func TestRevenueEqualsThePieces(t *testing.T) {
	t.Parallel()
	h := mixedHistory(t)
	ctx := context.Background()
	rep := reports.New(h.pool)
	staff := accounts.User{Role: accounts.RoleStaff}
	var voided int
	if err := h.pool.QueryRow(ctx, `SELECT count(*) FROM indicia WHERE status = 'voided'`).Scan(&voided); err != nil || voided == 0 {
		t.Fatalf("the history has %d voided pieces (%v)", voided, err)
	}
	all := period()
	byClass, byMeter, byOrigin, before := all, all, all, all
	byClass.Class = "FCM_LETTER"
	byMeter.MeterSerial = h.trick.Record.Serial
	byOrigin.OriginZIP = "06901"
	before.From, before.To = all.From.AddDate(0, 0, -30), all.From
	for name, f := range map[string]reports.Filter{"all": all, "class": byClass, "meter": byMeter, "origin": byOrigin, "before": before} {
		got, err := rep.Revenue(ctx, staff, f)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := h.pool.Query(ctx, `SELECT i.origin_zip, m.serial, count(*), sum(i.postage)::bigint,
			count(*) FILTER (WHERE i.status = 'voided'), coalesce(sum(i.postage) FILTER (WHERE i.status = 'voided'), 0)::bigint
			FROM indicia i JOIN meters m ON m.id = i.meter_id
			WHERE i.created_at >= $1 AND i.created_at < $2 AND ($3 = '' OR i.mail_class = $3) AND ($4 = '' OR m.serial = $4) AND ($5 = '' OR i.origin_zip = $5)
			GROUP BY 1, 2 ORDER BY 1, 2`, f.From, f.To, f.Class, f.MeterSerial, f.OriginZIP)
		if err != nil {
			t.Fatal(err)
		}
		want, err := pgx.CollectRows(rows, pgx.RowToStructByPos[reports.RevenueRow])
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || (name != "before" && len(want) == 0) {
			t.Errorf("%s: revenue %v, the pieces say %v", name, got, want)
		}
	}
}
