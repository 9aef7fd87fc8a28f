package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"indicia/accounts"
	"indicia/metering"
	"indicia/payments"
	"indicia/reports"
)

// benchZIP is the i-th of the postal benchmark's origin ZIPs: spread over
// the whole range, so the ZIP3s differ as well (about 10 ZIPs per ZIP3).
func benchZIP(i int) string { return fmt.Sprintf("%05d", 1000+i*97%99000) }

// postalView is one postal page: the service calls its handler makes.
type postalView struct {
	name string
	run  func(ctx context.Context, i int) error
}

// runPostalBench brings the day-by-origin rollup up to date (as the
// worker's clock does), runs the nightly forecast once, then times every
// postal view as its handler reads it, iters times each, p50/p95/max.
func runPostalBench(ctx context.Context, pool *pgxpool.Pool, iters int) error {
	met := metering.New(pool, nil, metering.Options{})
	pay := payments.New(pool, nil, nil, payments.Options{})
	rep := reports.New(pool)
	staff := accounts.User{Role: accounts.RoleStaff}
	var all, zips int64
	if err := pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT origin_zip) FROM indicia`).Scan(&all, &zips); err != nil {
		return err
	}
	if err := seedSettlements(ctx, pool); err != nil {
		return err
	}
	t0 := time.Now()
	days, err := met.RollUpPostalDays(ctx, time.Now())
	if err != nil {
		return fmt.Errorf("rollup: %w", err)
	}
	fmt.Printf("rollup: %d days rolled up in %.1f s\n", days, time.Since(t0).Seconds())
	t0 = time.Now()
	fr, err := met.RunForecasts(ctx, time.Now())
	if err != nil {
		return fmt.Errorf("forecasts: %w", err)
	}
	fmt.Printf("nightly forecast: %d series (ZIPs and ZIP3s) in %.1f s\n", fr.Series, time.Since(t0).Seconds())
	var serials []string
	rows, err := pool.Query(ctx, `SELECT serial FROM meters ORDER BY id`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		serials = append(serials, s)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	zip := func(i int) string { return benchZIP(i * 7919 % int(zips)) }
	var trackingPage func(scope metering.TrackingScope, origin func(int) string, days, page int) func(context.Context, int) error
	tracking := func(scope metering.TrackingScope, origin func(int) string, days int) func(context.Context, int) error {
		return trackingPage(scope, origin, days, 1)
	}
	trackingPage = func(scope metering.TrackingScope, origin func(int) string, days, page int) func(context.Context, int) error {
		return func(ctx context.Context, i int) error {
			o := ""
			if origin != nil {
				o = origin(i)
			}
			if _, err := met.DailyVolumes(ctx, staff, metering.ScopeAll, o, days); err != nil {
				return err
			}
			// As the handler: every origin's rows a page of days at a time.
			switch {
			case scope == metering.ScopeAll:
			case o == "":
				if _, _, err := met.DailyVolumesPage(ctx, staff, scope, o, days, page); err != nil {
					return err
				}
			default:
				if _, err := met.DailyVolumes(ctx, staff, scope, o, days); err != nil {
					return err
				}
			}
			top := scope
			if top == metering.ScopeAll {
				top = metering.ScopeZIP
			}
			if _, err := met.TopOrigins(ctx, staff, top, days, 10); err != nil {
				return err
			}
			from := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1-days)
			_, err := pay.OwedByOffice(ctx, staff, "day", from, o, 1)
			return err
		}
	}
	views := []postalView{
		{"/postal (volumes by origin, 30 days; fraud signals)", func(ctx context.Context, _ int) error {
			if _, err := met.VolumesByOrigin(ctx, staff, 30); err != nil {
				return err
			}
			if _, err := met.FraudSignals(ctx, staff, 100); err != nil {
				return err
			}
			_, err := met.OpenFraudSignals(ctx, staff)
			return err
		}},
		{"/postal?days=366", func(ctx context.Context, _ int) error {
			_, err := met.VolumesByOrigin(ctx, staff, 366)
			return err
		}},
		{"/postal/tracking (all, 30 days)", tracking(metering.ScopeAll, nil, 30)},
		{"/postal/tracking (per ZIP, 30 days)", tracking(metering.ScopeZIP, nil, 30)},
		{"/postal/tracking (per ZIP3, 30 days)", tracking(metering.ScopeZIP3, nil, 30)},
		{"/postal/tracking (all, 366 days)", tracking(metering.ScopeAll, nil, 366)},
		{"/postal/tracking (per ZIP3, 366 days)", tracking(metering.ScopeZIP3, nil, 366)},
		{"/postal/tracking (per ZIP, 366 days, last page)", trackingPage(metering.ScopeZIP, nil, 366, 53)},
		{"/postal/tracking (one ZIP, 366 days)", tracking(metering.ScopeZIP, zip, 366)},
		{"/postal/tracking (one ZIP3, 90 days)", tracking(metering.ScopeZIP3, func(i int) string { return zip(i)[:3] }, 90)},
		{"/postal/tracking funds owed (per day, 366 days, pages 2-5)", func(ctx context.Context, i int) error {
			from := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -365)
			_, err := pay.OwedByOffice(ctx, staff, "day", from, "", 2+i%4)
			return err
		}},
		{"/postal/tracking funds owed (per month, 366 days, months 2-5)", func(ctx context.Context, i int) error {
			from := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -365)
			_, err := pay.OwedByOffice(ctx, staff, "month", from, "", 2+i%4)
			return err
		}},
		{"/postal/revenue (30 days)", func(ctx context.Context, _ int) error {
			to := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
			_, err := rep.Revenue(ctx, staff, reports.Filter{From: to.AddDate(0, 0, -30), To: to})
			return err
		}},
		{"/postal/origins/{zip} (30 days)", func(ctx context.Context, i int) error {
			_, err := met.OriginMeters(ctx, staff, zip(i), 30)
			return err
		}},
		{"/postal/origins/{zip} (366 days)", func(ctx context.Context, i int) error {
			_, err := met.OriginMeters(ctx, staff, zip(i), 366)
			return err
		}},
		{"/postal/meters/{serial}", func(ctx context.Context, i int) error {
			_, err := met.PostalMeterView(ctx, staff, serials[i*31%len(serials)], 200)
			return err
		}},
		{"/postal/forecasts (ZIPs)", func(ctx context.Context, _ int) error {
			_, err := met.ForecastOrigins(ctx, staff, "zip", 100)
			return err
		}},
		{"/postal/forecasts/zip/{zip}", func(ctx context.Context, i int) error {
			_, err := met.ForecastOf(ctx, staff, "zip", zip(i))
			return err
		}},
		{"/postal/forecasts/zip3/{zip3}", func(ctx context.Context, i int) error {
			_, err := met.ForecastOf(ctx, staff, "zip3", zip(i)[:3])
			return err
		}},
	}
	fmt.Printf("postal bench: %d labels over %d origin ZIPs, %d requests per view (service calls of the view's handler)\n", all, zips, iters)
	fmt.Println("| view | p50 ms | p95 ms | max ms |")
	fmt.Println("|---|---:|---:|---:|")
	for _, v := range views {
		var ds []time.Duration
		for i := 0; i < iters; i++ {
			t0 := time.Now()
			if err := v.run(ctx, i); err != nil {
				return fmt.Errorf("%s: %w", v.name, err)
			}
			ds = append(ds, time.Since(t0))
		}
		slices.Sort(ds)
		ms := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }
		fmt.Printf("| %s | %s | %s | %s |\n", v.name, ms(ds[len(ds)/2]), ms(ds[len(ds)*95/100]), ms(ds[len(ds)-1]))
	}
	return nil
}

// seedSettlements gives COPYed labels the daily settlement the payments
// job would have stored (per day, meter and origin ZIP, voided pieces left
// out), once: the funds owed read it.
func seedSettlements(ctx context.Context, pool *pgxpool.Pool) error {
	var have bool
	if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM settlements)`).Scan(&have); err != nil {
		return err
	}
	if have {
		return nil
	}
	t0 := time.Now()
	if _, err := pool.Exec(ctx, `BEGIN;
		INSERT INTO settlements (day, meter_id, serial, origin_zip, pieces, postage, created_at)
		SELECT (i.created_at AT TIME ZONE 'UTC')::date, i.meter_id, m.serial, i.origin_zip, count(*), sum(i.postage), now()
		FROM indicia i JOIN meters m ON m.id = i.meter_id WHERE i.status <> 'voided' GROUP BY 1, 2, 3, 4;
		INSERT INTO settlement_days SELECT day, sum(pieces), sum(postage) FROM settlements GROUP BY day
		ON CONFLICT (day) DO UPDATE SET pieces = excluded.pieces, postage = excluded.postage;
		COMMIT; ANALYZE settlements; ANALYZE settlement_days`); err != nil {
		return fmt.Errorf("seed settlements: %w", err)
	}
	fmt.Printf("settlements: derived from the labels in %.1f s\n", time.Since(t0).Seconds())
	return nil
}
