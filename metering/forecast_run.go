package metering

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/db"
	"indicia/forecast"
)

// Forecast settings: the run reads ForecastHistoryDays of complete days,
// forecasts ForecastDays ahead and backtests over BacktestWeeks weekly folds.
const (
	ForecastDays        = 14
	ForecastHistoryDays = 112
	BacktestWeeks       = 8
	forecastKeepDays    = 120
)

// forecastMethods are the methods every run stores, the baseline first.
var forecastMethods = []forecast.Method{forecast.SeasonalNaive{}, forecast.HoltWinters{}}

// ForecastRunResult says what one run stored.
type ForecastRunResult struct {
	MadeOn time.Time
	Series int // origins (ZIPs and ZIP3s) forecast
}

// series is one origin's daily pieces over the history window, oldest first.
type series struct {
	scope, origin string
	y             []float64
	total         int64
}

// RunForecasts computes today's forecasts for every origin ZIP and ZIP3
// that issued pieces in the history window, and stores them with each
// method's backtest, replacing an earlier run of the same day. Runs
// are serialized by an advisory lock, so several workers may start one.
func (s *Service) RunForecasts(ctx context.Context, now time.Time) (ForecastRunResult, error) {
	today := now.UTC().Truncate(24 * time.Hour)
	from := today.AddDate(0, 0, -ForecastHistoryDays)
	rows, err := s.pool.Query(ctx, `SELECT origin_zip, (created_at AT TIME ZONE 'UTC')::date, count(*)
		FROM indicia WHERE created_at >= $1 AND created_at < $2 AND status = 'issued'
		GROUP BY 1, 2`, from, today)
	if err != nil {
		return ForecastRunResult{}, fmt.Errorf("metering: forecast history: %w", err)
	}
	all := map[[2]string]*series{}
	add := func(scope, origin string, day int, n int64) {
		k := [2]string{scope, origin}
		sr := all[k]
		if sr == nil {
			sr = &series{scope: scope, origin: origin, y: make([]float64, ForecastHistoryDays)}
			all[k] = sr
		}
		sr.y[day] += float64(n)
		sr.total += n
	}
	var zip string
	var d time.Time
	var n int64
	_, err = pgx.ForEachRow(rows, []any{&zip, &d, &n}, func() error {
		day := int(d.UTC().Sub(from) / (24 * time.Hour))
		if day < 0 || day >= ForecastHistoryDays {
			return nil
		}
		add("zip", zip, day, n)
		if len(zip) >= 3 {
			add("zip3", zip[:3], day, n)
		}
		return nil
	})
	if err != nil {
		return ForecastRunResult{}, fmt.Errorf("metering: forecast history: %w", err)
	}
	var fcRows, accRows [][]any
	for _, sr := range all {
		f, a := forecastSeries(sr, today)
		fcRows = append(fcRows, f...)
		accRows = append(accRows, a...)
	}
	err = db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('volume_forecasts'))`); err != nil {
			return err
		}
		for _, q := range []string{`DELETE FROM volume_forecasts WHERE made_on = $1 OR made_on < $2`, `DELETE FROM forecast_accuracy WHERE made_on = $1 OR made_on < $2`} {
			if _, err := tx.Exec(ctx, q, today, today.AddDate(0, 0, -forecastKeepDays)); err != nil {
				return err
			}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"volume_forecasts"}, []string{"scope", "origin", "made_on", "method", "day", "pieces", "lower", "upper"},
			pgx.CopyFromRows(fcRows)); err != nil {
			return err
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"forecast_accuracy"}, []string{"scope", "origin", "made_on", "method", "mape", "mae", "days", "history_pieces"},
			pgx.CopyFromRows(accRows))
		return err
	})
	if err != nil {
		return ForecastRunResult{}, fmt.Errorf("metering: store forecasts: %w", err)
	}
	return ForecastRunResult{MadeOn: today, Series: len(all)}, nil
}

// forecastSeries forecasts one origin by both methods from its first day
// with pieces (days before it say nothing about it).
func forecastSeries(sr *series, today time.Time) (fc, acc [][]any) {
	first := 0
	for first < len(sr.y) && sr.y[first] == 0 {
		first++
	}
	y := sr.y[first:]
	for _, m := range forecastMethods {
		pts, ok := m.Forecast(y, ForecastDays)
		if !ok {
			continue
		}
		for i, p := range pts {
			fc = append(fc, []any{sr.scope, sr.origin, today, m.Name(), today.AddDate(0, 0, i), p.Value, p.Lower, p.Upper})
		}
		a := forecast.Backtest(m, y, BacktestWeeks, ForecastDays)
		var mape any
		if !math.IsNaN(a.MAPE) {
			mape = a.MAPE
		}
		acc = append(acc, []any{sr.scope, sr.origin, today, m.Name(), mape, a.MAE, a.Days, sr.total})
	}
	return fc, acc
}

// ForecastsDue reports whether today's forecasts are still to be made.
func (s *Service) ForecastsDue(ctx context.Context, now time.Time) (bool, error) {
	var made bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM forecast_accuracy WHERE made_on = $1)`, now.UTC().Truncate(24*time.Hour)).Scan(&made)
	if err != nil {
		return false, fmt.Errorf("metering: forecasts due: %w", err)
	}
	return !made, nil
}
