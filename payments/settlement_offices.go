package payments

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
)

// OfficeOwed is the postage owed to one origin post office (ZIP) for one
// settled day or month, from the stored settlements (the ledger's postal
// revenue: dispensed postage less voids, on the day each was booked).
type OfficeOwed struct {
	Period    string `json:"period"` // YYYY-MM-DD or YYYY-MM
	OriginZIP string `json:"origin_zip"`
	Pieces    int64  `json:"pieces"`
	Postage   int64  `json:"postage"`
}

// OwedPageDays is how many settled days one page of the funds owed per
// day holds (a year of every office is 366,000 rows); per month a page is
// one month.
const OwedPageDays = 7

// OfficeOwedPage is one page of OwedByOffice, newest first, with the
// totals of the whole period (every page).
type OfficeOwedPage struct {
	Rows    []OfficeOwed
	Page    int
	Pages   int
	Pieces  int64
	Postage int64
}

// OwedByOffice lists what is owed to each origin post office per settled
// day (by "day") or month ("month") from the day from through today, one
// page (1, the newest, to Pages) at a time; origin, when set, keeps one ZIP
// or ZIP3.
func (s *Service) OwedByOffice(ctx context.Context, actor accounts.User, by string, from time.Time, origin string, page int) (OfficeOwedPage, error) {
	if err := staffOnly(actor); err != nil {
		return OfficeOwedPage{}, err
	}
	from = from.UTC().Truncate(24 * time.Hour)
	to := s.now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	period := `to_char(day, 'YYYY-MM-DD')`
	var pages int
	var pfrom, pto time.Time
	switch by {
	case "day":
		pages = max(1, (int(to.Sub(from)/(24*time.Hour))+OwedPageDays-1)/OwedPageDays)
		pto = to.AddDate(0, 0, -(page-1)*OwedPageDays)
		pfrom = pto.AddDate(0, 0, -OwedPageDays)
	case "month":
		period = `to_char(day, 'YYYY-MM')`
		from = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
		last := to.AddDate(0, 0, -1)
		pages = max(1, (last.Year()-from.Year())*12+int(last.Month()-from.Month())+1)
		pfrom = time.Date(last.Year(), last.Month()-time.Month(page-1), 1, 0, 0, 0, 0, time.UTC)
		pto = pfrom.AddDate(0, 1, 0)
	default:
		return OfficeOwedPage{}, apperr.Invalid("by", "Choose day or month.")
	}
	if page < 1 || page > pages {
		return OfficeOwedPage{}, apperr.Invalid("owed_page", fmt.Sprintf("Choose a page of funds owed from 1 to %d.", pages))
	}
	if pfrom.Before(from) {
		pfrom = from
	}
	lo, hi := origin, origin
	if len(origin) == 3 {
		lo, hi = origin+"00", origin+"99"
	}
	out := OfficeOwedPage{Page: page, Pages: pages}
	rows, err := s.pool.Query(ctx, `SELECT `+period+`, origin_zip, sum(pieces)::bigint, sum(postage)::bigint FROM settlements
		WHERE day >= $1 AND day < $2 AND ($3 = '' OR origin_zip BETWEEN $3 AND $4)
		GROUP BY 1, 2 ORDER BY 1 DESC, 2`, pfrom, pto, lo, hi)
	if err != nil {
		return out, fmt.Errorf("payments: owed by office: %w", err)
	}
	if out.Rows, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (OfficeOwed, error) {
		var o OfficeOwed
		err := r.Scan(&o.Period, &o.OriginZIP, &o.Pieces, &o.Postage)
		return o, err
	}); err != nil {
		return out, fmt.Errorf("payments: owed by office: %w", err)
	}
	// The whole period's total: one row a day over every office, or the
	// office's (ZIP3's) own rows through the origin index.
	total := `SELECT coalesce(sum(pieces), 0)::bigint, coalesce(sum(postage), 0)::bigint FROM settlement_days WHERE day >= $1 AND day < $2 AND $3 = $4`
	if origin != "" {
		total = `SELECT coalesce(sum(pieces), 0)::bigint, coalesce(sum(postage), 0)::bigint FROM settlements
			WHERE origin_zip BETWEEN $3 AND $4 AND day >= $1 AND day < $2`
	}
	if err := s.pool.QueryRow(ctx, total, from, to, lo, hi).Scan(&out.Pieces, &out.Postage); err != nil {
		return out, fmt.Errorf("payments: owed by office, total: %w", err)
	}
	return out, nil
}
