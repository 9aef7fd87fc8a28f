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

// groupKey is the SQL of a grouping's value over the spend rollup (alias
// r), which is also its sort order.
func groupKey(g Group) string {
	switch g {
	case ByWeek:
		return "date_trunc('week', r.day)::date::text"
	case ByDay:
		return "r.day::text"
	case ByCostCode:
		return "coalesce(cc.name, '')"
	case ByUser:
		return "coalesce(u.name, '')"
	case ByMeter:
		return "m.serial"
	case ByOriginZIP:
		return "r.origin_zip"
	case ByClass:
		return "r.mail_class"
	}
	return "to_char(r.day, 'YYYY-MM')"
}

// rollupWhere narrows the spend rollup to the filter. The rollup's days are
// UTC days of purchase and a filter's period is whole UTC days, so the sums
// are exactly those of the pieces bought in the period.
func rollupWhere(f Filter) *where {
	w := &where{}
	if f.AccountID != 0 {
		w.add("r.account_id = ?", f.AccountID)
	}
	w.add("r.day >= ?::date", f.From.UTC().Format("2006-01-02"))
	w.add("r.day < ?::date", f.To.UTC().Format("2006-01-02"))
	if f.MeterSerial != "" {
		w.add("m.serial = ?", f.MeterSerial)
	}
	if f.UserID != 0 {
		w.add("r.user_id = ?", f.UserID)
	}
	if f.CostCodeID != 0 {
		w.add("r.cost_code_id = ?", f.CostCodeID)
	}
	if f.Class != "" {
		w.add("r.mail_class = ?", f.Class)
	}
	if f.OriginZIP != "" {
		w.add("r.origin_zip = ?", f.OriginZIP)
	}
	return w
}

// Summary adds up the filter's pieces by g. It reads the spend rollup
// (metering keeps it in the purchase and void transactions), a few
// thousand rows for a year of a million pieces, never the pieces.
func (s *Service) Summary(ctx context.Context, actor accounts.User, f Filter, g Group) (Summary, error) {
	if err := scope(actor, &f); err != nil {
		return Summary{}, err
	}
	w := rollupWhere(f)
	key := groupKey(g)
	joins := ""
	if f.MeterSerial != "" || g == ByMeter {
		joins += " JOIN meters m ON m.id = r.meter_id"
	}
	if g == ByUser {
		joins += " LEFT JOIN users u ON u.id = r.user_id"
	}
	if g == ByCostCode {
		joins += " LEFT JOIN cost_codes cc ON cc.id = r.cost_code_id"
	}
	q := fmt.Sprintf(`SELECT %s AS k, coalesce(sum(r.pieces), 0)::bigint, coalesce(sum(r.postage), 0)::bigint,
		coalesce(sum(r.voided_pieces), 0)::bigint, coalesce(sum(r.voided_postage), 0)::bigint
		FROM spend_rollup r %s WHERE %s GROUP BY k HAVING sum(r.pieces) <> 0 OR sum(r.voided_pieces) <> 0 ORDER BY k`, key, joins, w)
	rows, err := s.read.Query(ctx, q, w.args...)
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
