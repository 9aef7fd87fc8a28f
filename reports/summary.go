package reports

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
)

// SummaryRow is one group of the spend summary. Spend is what was bought
// and kept: postage of the group's pieces less the voided ones.
type SummaryRow struct {
	Key           string // the group's value as the report shows it
	Pieces        int64
	Postage       int64
	VoidedPieces  int64
	VoidedPostage int64
}

// Spend is the postage kept.
func (r SummaryRow) Spend() int64 { return r.Postage - r.VoidedPostage }

// SummaryHeader names the summary's columns in its downloads.
func SummaryHeader(g Group) []string {
	return []string{string(g), "pieces", "postage", "voided_pieces", "voided_postage", "spend"}
}

// Cells is the row as download cells.
func (r SummaryRow) Cells() []string {
	return []string{r.Key, strconv.FormatInt(r.Pieces, 10), Dollars(r.Postage), strconv.FormatInt(r.VoidedPieces, 10),
		Dollars(r.VoidedPostage), Dollars(r.Spend())}
}

// Summary is the spend summary grouped by g, in the group's natural order,
// with the total of all groups.
type Summary struct {
	Group Group
	Rows  []SummaryRow
	Total SummaryRow
}

// groupKey is the SQL of a grouping's value, which is also its sort order.
func groupKey(g Group) string {
	switch g {
	case ByWeek:
		return "date_trunc('week', i.created_at AT TIME ZONE 'UTC')::date::text"
	case ByDay:
		return "(i.created_at AT TIME ZONE 'UTC')::date::text"
	case ByCostCode:
		return "coalesce(cc.name, '')"
	case ByUser:
		return "coalesce(u.name, '')"
	case ByMeter:
		return "m.serial"
	case ByOriginZIP:
		return "i.origin_zip"
	case ByClass:
		return "i.mail_class"
	}
	return "to_char(i.created_at AT TIME ZONE 'UTC', 'YYYY-MM')"
}

// Summary adds up the filter's pieces by g.
func (s *Service) Summary(ctx context.Context, actor accounts.User, f Filter, g Group) (Summary, error) {
	if err := scope(actor, &f); err != nil {
		return Summary{}, err
	}
	w := pieces(f)
	key := groupKey(g)
	// Only the joins the grouping or a filter needs: without them the sum
	// is read from the register's covering index alone.
	joins := ""
	if f.MeterSerial != "" || g == ByMeter {
		joins += " JOIN meters m ON m.id = i.meter_id"
	}
	if f.UserID != 0 || g == ByUser {
		joins += " JOIN purchases p ON p.id = i.purchase_id LEFT JOIN users u ON u.id = p.user_id"
	}
	if g == ByCostCode {
		joins += " LEFT JOIN cost_codes cc ON cc.id = i.cost_code_id"
	}
	q := fmt.Sprintf(`SELECT %s AS k, count(*), coalesce(sum(i.postage), 0)::bigint,
		count(*) FILTER (WHERE i.status = 'voided'), coalesce(sum(i.postage) FILTER (WHERE i.status = 'voided'), 0)::bigint
		FROM indicia i %s WHERE %s GROUP BY k ORDER BY k`, key, joins, w)
	rows, err := s.pool.Query(ctx, q, w.args...)
	if err != nil {
		return Summary{}, fmt.Errorf("reports: summary: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (SummaryRow, error) {
		var x SummaryRow
		return x, r.Scan(&x.Key, &x.Pieces, &x.Postage, &x.VoidedPieces, &x.VoidedPostage)
	})
	if err != nil {
		return Summary{}, fmt.Errorf("reports: summary: %w", err)
	}
	sum := Summary{Group: g, Rows: out, Total: SummaryRow{Key: "Total"}}
	for i := range out {
		switch {
		case g == ByClass:
			out[i].Key = className(out[i].Key)
		case out[i].Key == "" && (g == ByCostCode || g == ByUser):
			out[i].Key = "(none)"
		}
		sum.Total.Pieces += out[i].Pieces
		sum.Total.Postage += out[i].Postage
		sum.Total.VoidedPieces += out[i].VoidedPieces
		sum.Total.VoidedPostage += out[i].VoidedPostage
	}
	if g == ByMonth {
		sum.Rows = fillMonths(out, f.From, f.To)
	}
	return sum, nil
}

// fillMonths gives every month of the period a row, so a chart shows a
// month without spend as an empty bar rather than leaving it out.
func fillMonths(rows []SummaryRow, from, to time.Time) []SummaryRow {
	have := map[string]SummaryRow{}
	for _, r := range rows {
		have[r.Key] = r
	}
	var out []SummaryRow
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC); m.Before(to); m = m.AddDate(0, 1, 0) {
		k := m.Format("2006-01")
		r, ok := have[k]
		if !ok {
			r = SummaryRow{Key: k}
		}
		out = append(out, r)
	}
	return out
}
