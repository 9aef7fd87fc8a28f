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

// OwedByOffice lists what is owed to each origin post office per settled
// day (by "day") or month ("month") from the day from on, newest first;
// origin, when set, keeps one ZIP or ZIP3.
func (s *Service) OwedByOffice(ctx context.Context, actor accounts.User, by string, from time.Time, origin string) ([]OfficeOwed, error) {
	if err := staffOnly(actor); err != nil {
		return nil, err
	}
	period := `to_char(day, 'YYYY-MM-DD')`
	switch by {
	case "day":
	case "month":
		period = `to_char(day, 'YYYY-MM')`
		from = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	default:
		return nil, apperr.Invalid("by", "Choose day or month.")
	}
	rows, err := s.pool.Query(ctx, `SELECT `+period+`, origin_zip, sum(pieces)::bigint, sum(postage)::bigint FROM settlements
		WHERE day >= $1 AND ($2 = '' OR origin_zip = $2 OR (length($2) = 3 AND left(origin_zip, 3) = $2))
		GROUP BY 1, 2 ORDER BY 1 DESC, 2`, from.UTC().Truncate(24*time.Hour), origin)
	if err != nil {
		return nil, fmt.Errorf("payments: owed by office: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (OfficeOwed, error) {
		var o OfficeOwed
		err := r.Scan(&o.Period, &o.OriginZIP, &o.Pieces, &o.Postage)
		return o, err
	})
}
