package payments

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/db"
	"indicia/internal/csvsafe"
	"indicia/metering"
)

// SettlementRow is the post's historical record for one meter and origin ZIP on one day.
type SettlementRow struct {
	Day       time.Time
	MeterID   int64
	Serial    string
	OriginZIP string
	Pieces    int64
	Postage   int64
}

// OfficeTotal is what is owed to one origin post office for a day.
type OfficeTotal struct {
	OriginZIP string
	Pieces    int64
	Postage   int64
}

// Settlement is one day's record and the amounts owed per post office.
type Settlement struct {
	Day     time.Time
	Rows    []SettlementRow
	Offices []OfficeTotal
	Total   int64
	// ComputedAt is when the stored day was computed (zero: never); a day
	// still running gains purchases after it.
	ComputedAt time.Time
}

func staffOnly(actor accounts.User) error {
	switch actor.Role {
	case accounts.RoleStaff, accounts.RoleAdmin, accounts.RoleSystem:
		return nil
	}
	return apperr.Forbidden("Only postal staff and vendor admins see settlements.")
}

// Settle computes a day's settlement (UTC) from the ledger's postal revenue
// entries (dispenses less voids) and stores it; running it again replaces it.
func (s *Service) Settle(ctx context.Context, day time.Time) (Settlement, error) {
	day = day.UTC().Truncate(24 * time.Hour)
	err := db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM settlements WHERE day = $1`, day); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT meter_id, origin_zip, sum(pieces)::bigint, sum(amount)::bigint
			FROM ledger_entries
			WHERE account LIKE 'postal_revenue:%' AND meter_id IS NOT NULL AND created_at >= $1::timestamptz AND created_at < $2::timestamptz
			GROUP BY meter_id, origin_zip ORDER BY meter_id`, day, day.Add(24*time.Hour))
		if err != nil {
			return err
		}
		var meterIDs, pieces, postage []int64
		var zips []*string
		for rows.Next() {
			var id, n, amount int64
			var zip *string
			if err := rows.Scan(&id, &zip, &n, &amount); err != nil {
				rows.Close()
				return err
			}
			meterIDs, zips, pieces, postage = append(meterIDs, id), append(zips, zip), append(pieces, n), append(postage, amount)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// The serial is stored with the row: the settlement is the post's
		// record and must read the same whatever happens to the meter later.
		meters, err := metering.MeterStates(ctx, tx, meterIDs)
		if err != nil {
			return err
		}
		// Revenue of a meter that is not there any more has no serial to settle under.
		var ids, np, nc []int64
		var serials []string
		var nz []*string
		for i, id := range meterIDs {
			if m, ok := meters[id]; ok {
				ids, serials, nz, np, nc = append(ids, id), append(serials, m.Serial), append(nz, zips[i]), append(np, pieces[i]), append(nc, postage[i])
			}
		}
		_, err = tx.Exec(ctx, `INSERT INTO settlements (day, meter_id, serial, origin_zip, pieces, postage, created_at)
			SELECT $1::date, u.meter_id, u.serial, u.origin_zip, u.pieces, u.postage, $2
			FROM unnest($3::bigint[], $4::text[], $5::text[], $6::bigint[], $7::bigint[]) AS u(meter_id, serial, origin_zip, pieces, postage)`,
			day, s.now(), ids, serials, nz, np, nc)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO settlement_days (day, pieces, postage)
			SELECT $1::date, coalesce(sum(pieces), 0), coalesce(sum(postage), 0) FROM settlements WHERE day = $1::date
			ON CONFLICT (day) DO UPDATE SET pieces = excluded.pieces, postage = excluded.postage`, day)
		return err
	})
	if err != nil {
		return Settlement{}, fmt.Errorf("payments: settle %s: %w", day.Format(time.DateOnly), err)
	}
	return s.loadSettlement(ctx, day)
}

// SettlementFor returns a stored day's settlement (postal staff, admins).
func (s *Service) SettlementFor(ctx context.Context, actor accounts.User, day time.Time) (Settlement, error) {
	if err := staffOnly(actor); err != nil {
		return Settlement{}, err
	}
	return s.loadSettlement(ctx, day.UTC().Truncate(24*time.Hour))
}

func (s *Service) loadSettlement(ctx context.Context, day time.Time) (Settlement, error) {
	rows, err := s.pool.Query(ctx, `SELECT day, meter_id, serial, origin_zip, pieces, postage, created_at FROM settlements WHERE day = $1 ORDER BY origin_zip, serial`, day)
	if err != nil {
		return Settlement{}, fmt.Errorf("payments: load settlement: %w", err)
	}
	var computed time.Time
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (SettlementRow, error) {
		var x SettlementRow
		var at time.Time
		err := r.Scan(&x.Day, &x.MeterID, &x.Serial, &x.OriginZIP, &x.Pieces, &x.Postage, &at)
		if at.After(computed) {
			computed = at
		}
		return x, err
	})
	if err != nil {
		return Settlement{}, fmt.Errorf("payments: load settlement: %w", err)
	}
	st := Settlement{Day: day, Rows: list, ComputedAt: computed}
	byZIP := map[string]*OfficeTotal{}
	for _, r := range list {
		o := byZIP[r.OriginZIP]
		if o == nil {
			o = &OfficeTotal{OriginZIP: r.OriginZIP}
			byZIP[r.OriginZIP] = o
		}
		o.Pieces += r.Pieces
		o.Postage += r.Postage
		st.Total += r.Postage
	}
	for _, o := range byZIP {
		st.Offices = append(st.Offices, *o)
	}
	sort.Slice(st.Offices, func(i, j int) bool { return st.Offices[i].OriginZIP < st.Offices[j].OriginZIP })
	return st, nil
}

// SettlementDays lists the days settled, newest first.
func (s *Service) SettlementDays(ctx context.Context, actor accounts.User, limit int) ([]time.Time, error) {
	if err := staffOnly(actor); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT day FROM settlements ORDER BY day DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("payments: settlement days: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[time.Time])
}

// WriteCSV writes the settlement: one line per meter and origin ZIP, amounts in dollars.
func (st Settlement) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"day", "origin_zip", "meter_serial", "pieces", "postage_usd"})
	for _, r := range st.Rows {
		// Text columns are neutralized against formula injection; the
		// numbers are ours, and a negative amount must stay a number.
		cw.Write([]string{r.Day.Format(time.DateOnly), csvsafe.Cell(r.OriginZIP), csvsafe.Cell(r.Serial), fmt.Sprint(r.Pieces), dollars(r.Postage)})
	}
	cw.Flush()
	return cw.Error()
}

func dollars(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}
