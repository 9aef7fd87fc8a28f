package metering

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Postal tracking adds up millions of labels, so whole past days are read
// from postal_days (per day of issue and origin ZIP: pieces issued and
// their postage, and of those the voided), added once a day is over. A void
// of a rolled-up day changes it in the void's own transaction
// (postalVoid), so the rollup always equals the labels. What changes
// without a write to the label — the mailing window passing — and the
// pieces in process are read from the labels through a partial index
// that holds only unscanned pieces, so every number stays exact at the
// moment it is read.

// rollupLag keeps the newest whole day out of the rollup: a purchase that
// began before midnight may commit just after it.
const rollupLag = 24 * time.Hour

// RollUpPostalDays adds the whole days not yet in postal_days (up to the
// day before yesterday, UTC) and returns how many days it added. Several
// workers may run it at once: the state row's lock makes them take turns,
// and the second finds nothing to add.
func (s *Service) RollUpPostalDays(ctx context.Context, now time.Time) (int, error) {
	target := now.UTC().Truncate(24 * time.Hour).Add(-rollupLag)
	var days int
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var built *time.Time
		if err := tx.QueryRow(ctx, `SELECT built_through FROM postal_rollup WHERE id = 1 FOR UPDATE`).Scan(&built); err != nil {
			return fmt.Errorf("rollup state: %w", err)
		}
		var start time.Time
		if built != nil {
			start = built.UTC()
		} else {
			var first *time.Time
			if err := tx.QueryRow(ctx, `SELECT min(created_at) FROM indicia`).Scan(&first); err != nil {
				return fmt.Errorf("first label: %w", err)
			}
			if first == nil {
				start = target
			} else {
				start = first.UTC().Truncate(24 * time.Hour)
			}
		}
		if !start.Before(target) {
			return nil
		}
		// Each origin's running totals continue from its last rolled-up day:
		// the days are added in order, never twice. Every known origin gets a
		// row for every day added (zero pieces on a day without labels), a new
		// one from its first day on, so one day's rows hold every origin's
		// running totals. A week per statement: the statement's look-up of an
		// origin's last totals walks past the rows it has itself inserted (not
		// yet visible to it), so one statement over years of days is quadratic.
		for from := start; from.Before(target); from = from.Add(rollupChunk) {
			to := from.Add(rollupChunk)
			if to.After(target) {
				to = target
			}
			if err := rollUpPostalSpan(ctx, tx, from, to); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE postal_rollup SET built_through = $1, built_at = now() WHERE id = 1`, target); err != nil {
			return fmt.Errorf("rollup state: %w", err)
		}
		days = int(target.Sub(start) / (24 * time.Hour))
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("metering: postal rollup: %w", err)
	}
	return days, nil
}

// rollupChunk is how many days one rollup statement adds.
const rollupChunk = 7 * 24 * time.Hour

// rollUpPostalSpan adds the days [start, target) to postal_days, postal_days_all
// and postal_origins, continuing each origin's running totals.
func rollUpPostalSpan(ctx context.Context, tx pgx.Tx, start, target time.Time) error {
	if _, err := tx.Exec(ctx, `WITH n AS (
				SELECT (created_at AT TIME ZONE 'UTC')::date AS day, origin_zip, count(*) AS pieces, sum(postage) AS postage,
					count(*) FILTER (WHERE status = 'voided') AS voided, coalesce(sum(postage) FILTER (WHERE status = 'voided'), 0) AS voided_postage
				FROM indicia WHERE created_at >= $1 AND created_at < $2 GROUP BY 1, 2),
			z AS (SELECT origin_zip, min(day) AS first FROM (SELECT origin_zip, '-infinity'::date AS day FROM postal_origins
				UNION ALL SELECT origin_zip, day FROM n) u GROUP BY 1),
			g AS (SELECT d.day::date AS day, z.origin_zip, coalesce(n.pieces, 0) AS pieces, coalesce(n.postage, 0) AS postage,
					coalesce(n.voided, 0) AS voided, coalesce(n.voided_postage, 0) AS voided_postage
				FROM z CROSS JOIN generate_series($1::date, $2::date - 1, interval '1 day') d(day)
				LEFT JOIN n ON n.day = d.day::date AND n.origin_zip = z.origin_zip
				WHERE d.day::date >= z.first),
			d AS (INSERT INTO postal_days (day, origin_zip, pieces, postage, voided, voided_postage, cum_pieces, cum_postage, cum_voided, cum_voided_postage)
				SELECT g.day, g.origin_zip, g.pieces, g.postage, g.voided, g.voided_postage,
					coalesce(p.cum_pieces, 0) + sum(g.pieces) OVER w, coalesce(p.cum_postage, 0) + sum(g.postage) OVER w,
					coalesce(p.cum_voided, 0) + sum(g.voided) OVER w, coalesce(p.cum_voided_postage, 0) + sum(g.voided_postage) OVER w
				FROM g LEFT JOIN LATERAL (SELECT cum_pieces, cum_postage, cum_voided, cum_voided_postage FROM postal_days x
					WHERE x.origin_zip = g.origin_zip ORDER BY x.day DESC LIMIT 1) p ON true
				WINDOW w AS (PARTITION BY g.origin_zip ORDER BY g.day)),
			o AS (INSERT INTO postal_origins (origin_zip) SELECT DISTINCT origin_zip FROM n ON CONFLICT DO NOTHING)
			INSERT INTO postal_days_all (day, pieces, postage, voided, voided_postage)
			SELECT day, sum(pieces), sum(postage), sum(voided), sum(voided_postage) FROM n GROUP BY day`, start, target); err != nil {
		return fmt.Errorf("roll up %s to %s: %w", start.Format(time.DateOnly), target.Format(time.DateOnly), err)
	}
	return nil
}

// postalVoid moves an issued label to the voided columns of postal_days
// when its day of issue is rolled up: its day's voided pieces, and the
// running voided totals of that day and every later rolled-up day of its
// origin. Call it in the void's transaction, before the status changes. The
// share lock on the rollup's state row orders it against RollUpPostalDays
// (which holds that row for update): a void that commits before a rollup
// reads the labels is counted by the rollup, and one that waits for the
// rollup sees the days it added, in its next statement's snapshot.
func postalVoid(ctx context.Context, tx pgx.Tx, labelPublicID string) error {
	var built *time.Time
	if err := tx.QueryRow(ctx, `SELECT built_through FROM postal_rollup WHERE id = 1 FOR SHARE`).Scan(&built); err != nil {
		return fmt.Errorf("metering: postal rollup state: %w", err)
	}
	if built == nil {
		return nil
	}
	_, err := tx.Exec(ctx, `WITH l AS (SELECT (created_at AT TIME ZONE 'UTC')::date AS day, origin_zip, postage FROM indicia
				WHERE public_id = $1 AND status <> 'voided' AND created_at < $2),
			d AS (UPDATE postal_days p SET voided = p.voided + (p.day = l.day)::int, voided_postage = p.voided_postage + CASE WHEN p.day = l.day THEN l.postage ELSE 0 END,
					cum_voided = p.cum_voided + 1, cum_voided_postage = p.cum_voided_postage + l.postage
				FROM l WHERE p.origin_zip = l.origin_zip AND p.day >= l.day)
		UPDATE postal_days_all a SET voided = a.voided + 1, voided_postage = a.voided_postage + l.postage FROM l WHERE a.day = l.day`,
		labelPublicID, *built)
	if err != nil {
		return fmt.Errorf("metering: postal rollup void of %s: %w", labelPublicID, err)
	}
	return nil
}

// The row sources below list the labels of issue time [@from, @to) as rows
// of (day, origin_zip, pieces, postage, voided, voided_postage, in_process,
// postage_in_process) to be summed: whole rolled-up days from the rollup,
// the rest of the period from the labels, then the in-process pieces from
// their partial index. An origin (@lo..@hi, a ZIP or a ZIP3's range)
// narrows every part. They differ only in how they read the rolled-up days.

// rolledPerDay reads the rolled-up days per day and origin ZIP (a day
// without labels has a row of zeros: left out).
const rolledPerDay = `SELECT day, origin_zip, pieces, postage, voided, voided_postage,
		0::bigint AS in_process, 0::bigint AS postage_in_process
		FROM postal_days WHERE day >= @roll_from_day::date AND day < @roll_to_day::date AND pieces > 0 AND (@lo = '' OR origin_zip BETWEEN @lo AND @hi)`

// rolledAllOrigins reads them per day over every origin (origin_zip is
// empty): for the all-origins view, which has no origin to narrow.
const rolledAllOrigins = `SELECT day, ''::text AS origin_zip, pieces, postage, voided, voided_postage,
		0::bigint AS in_process, 0::bigint AS postage_in_process
		FROM postal_days_all WHERE day >= @roll_from_day::date AND day < @roll_to_day::date`

// rolledPerOrigin reads them as one row per origin ZIP for the whole run of
// days (day is NULL): the running totals on its last day less those on the
// day before its first, two ranges of one day's rows (every origin has a row
// every day from its first), however long the period.
const rolledPerOrigin = `SELECT NULL::date AS day, e.origin_zip, e.cum_pieces - coalesce(s.cum_pieces, 0) AS pieces,
		e.cum_postage - coalesce(s.cum_postage, 0) AS postage, e.cum_voided - coalesce(s.cum_voided, 0) AS voided,
		e.cum_voided_postage - coalesce(s.cum_voided_postage, 0) AS voided_postage,
		0::bigint AS in_process, 0::bigint AS postage_in_process
		FROM postal_days e
		LEFT JOIN postal_days s ON s.day = @roll_from_day::date - 1 AND s.origin_zip = e.origin_zip
		WHERE e.day = @roll_to_day::date - 1 AND @roll_from_day::date < @roll_to_day::date AND (@lo = '' OR e.origin_zip BETWEEN @lo AND @hi)`

// postalRows is one of the rolled-up sources followed by the parts read
// from the labels: the days not rolled up (the last day or two, a partial
// first day) with their voids, and the pieces in process.
func postalRows(rolled string) string {
	return rolled + `
	UNION ALL
	SELECT (created_at AT TIME ZONE 'UTC')::date, origin_zip, 1, postage, (status = 'voided')::int, CASE WHEN status = 'voided' THEN postage ELSE 0 END, 0, 0
		FROM indicia
		WHERE ((created_at >= @from AND created_at < @roll_from) OR (created_at >= @roll_to AND created_at < @to))
			AND (@lo = '' OR origin_zip BETWEEN @lo AND @hi)
	UNION ALL
	SELECT (created_at AT TIME ZONE 'UTC')::date, origin_zip, 0, 0, 0, 0, 1, postage FROM indicia
		WHERE status = 'issued' AND used_at IS NULL AND mailing_date >= @processed_before::date
			AND created_at >= @from AND created_at < @to AND (@lo = '' OR origin_zip BETWEEN @lo AND @hi)`
}

// postalRowsArgs fills postalRows's parameters for the period [from,
// to) and an origin ("", a ZIP or a ZIP3): the rollup serves the whole
// days inside the period that it holds.
func (s *Service) postalRowsArgs(ctx context.Context, from, to time.Time, origin string) (pgx.NamedArgs, error) {
	var built *time.Time
	if err := s.reads().QueryRow(ctx, `SELECT built_through FROM postal_rollup WHERE id = 1`).Scan(&built); err != nil {
		return nil, fmt.Errorf("metering: postal rollup state: %w", err)
	}
	rollFrom := from.UTC().Truncate(24 * time.Hour)
	if rollFrom.Before(from) {
		rollFrom = rollFrom.AddDate(0, 0, 1)
	}
	rollTo := to.UTC().Truncate(24 * time.Hour)
	if built == nil || built.Before(rollTo) {
		rollTo = time.Time{}
		if built != nil {
			rollTo = built.UTC()
		}
	}
	if !rollFrom.Before(rollTo) {
		// Nothing rolled up inside the period: all of it from the labels.
		rollFrom, rollTo = to, to
	}
	lo, hi := origin, origin
	if len(origin) == 3 {
		lo, hi = origin+"00", origin+"99"
	}
	return pgx.NamedArgs{"from": from, "to": to, "roll_from": rollFrom, "roll_to": rollTo,
		"roll_from_day": rollFrom.Format(time.DateOnly), "roll_to_day": rollTo.Format(time.DateOnly), "lo": lo, "hi": hi,
		"processed_before": processedBefore(s.now()).Format(time.DateOnly)}, nil
}
