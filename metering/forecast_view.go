package metering

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
)

// ForecastPastDays is how many days before the newest run a forecast view
// shows, with their actual volume and what was forecast for them.
const ForecastPastDays = 28

// ForecastAccuracy is one method's backtest in a run.
type ForecastAccuracy struct {
	Method string   `json:"method"`
	MAPE   *float64 `json:"mape_percent"` // nil when no backtest day had volume
	MAE    float64  `json:"mae_pieces"`
	Days   int      `json:"days_compared"`
}

// ForecastDay is one day of a forecast view: its actual pieces (past days),
// the Holt-Winters forecast with its interval and the baseline's.
type ForecastDay struct {
	Day      string   `json:"day"`
	Actual   *float64 `json:"actual,omitempty"`
	Forecast *float64 `json:"forecast,omitempty"`
	Lower    *float64 `json:"lower,omitempty"`
	Upper    *float64 `json:"upper,omitempty"`
	Baseline *float64 `json:"baseline,omitempty"`
}

// ForecastView is the newest forecast of one origin.
type ForecastView struct {
	Scope    string             `json:"scope"`
	Origin   string             `json:"origin"`
	MadeOn   string             `json:"made_on"`
	Days     []ForecastDay      `json:"days"`
	Accuracy []ForecastAccuracy `json:"accuracy"`
}

// ForecastOrigin is one origin in the newest run, for the list.
type ForecastOrigin struct {
	Scope         string   `json:"scope"`
	Origin        string   `json:"origin"`
	HistoryPieces int64    `json:"history_pieces"`
	NextWeek      float64  `json:"next_7_days"`
	MAPE          *float64 `json:"holt_winters_mape_percent"`
	BaselineMAPE  *float64 `json:"seasonal_naive_mape_percent"`
}

func forecastScope(scope, origin string) error {
	switch {
	case scope == "zip" && len(origin) == 5 && isZIP(origin):
	case scope == "zip3" && len(origin) == 3 && isZIP(origin+"00"):
	default:
		return apperr.NotFound("No forecast for " + origin + ".")
	}
	return nil
}

// ForecastOrigins lists the origins of the newest run, busiest first.
func (s *Service) ForecastOrigins(ctx context.Context, actor accounts.User, scope string, limit int) ([]ForecastOrigin, error) {
	if err := requirePostal(actor); err != nil {
		return nil, err
	}
	// Both methods' rows of an origin are read in one pass and grouped, not
	// joined: the newest run's day is never in the planner's statistics
	// yet, and a join planned for one row probed the whole run per origin.
	rows, err := s.reads().Query(ctx, `WITH run AS (SELECT max(made_on) AS d FROM forecast_accuracy),
		a AS (SELECT a.scope, a.origin, a.made_on,
				max(a.history_pieces) FILTER (WHERE a.method = 'holt_winters') AS history_pieces,
				max(a.mape) FILTER (WHERE a.method = 'holt_winters') AS mape,
				max(a.mape) FILTER (WHERE a.method = 'seasonal_naive') AS baseline_mape
			FROM run JOIN forecast_accuracy a ON a.made_on = run.d AND a.scope = $1
			GROUP BY a.scope, a.origin, a.made_on HAVING bool_or(a.method = 'holt_winters')
			ORDER BY 4 DESC, a.origin LIMIT $2)
		SELECT a.scope, a.origin, a.history_pieces, a.mape, a.baseline_mape,
			(SELECT COALESCE(sum(f.pieces), 0) FROM volume_forecasts f WHERE f.scope = a.scope AND f.origin = a.origin AND f.method = 'holt_winters'
				AND f.made_on = a.made_on AND f.day < a.made_on + 7)
		FROM a ORDER BY a.history_pieces DESC, a.origin`, scope, limit)
	if err != nil {
		return nil, fmt.Errorf("metering: forecast origins: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ForecastOrigin, error) {
		var o ForecastOrigin
		err := r.Scan(&o.Scope, &o.Origin, &o.HistoryPieces, &o.MAPE, &o.BaselineMAPE, &o.NextWeek)
		return o, err
	})
}

// ForecastOf returns the newest forecast of one origin ZIP (scope "zip") or
// ZIP3 ("zip3"): the last ForecastPastDays days with their actual pieces and
// what the latest run made before each day forecast for it, then the run's
// ForecastDays, and both methods' backtests.
func (s *Service) ForecastOf(ctx context.Context, actor accounts.User, scope, origin string) (ForecastView, error) {
	if err := requirePostal(actor); err != nil {
		return ForecastView{}, err
	}
	if err := forecastScope(scope, origin); err != nil {
		return ForecastView{}, err
	}
	v := ForecastView{Scope: scope, Origin: origin}
	// max over no rows is NULL: no run has forecast this origin yet.
	var newest *time.Time
	if err := s.reads().QueryRow(ctx, `SELECT max(made_on) FROM forecast_accuracy WHERE scope = $1 AND origin = $2`, scope, origin).Scan(&newest); err != nil {
		return v, fmt.Errorf("metering: forecast of %s: %w", origin, err)
	}
	if newest == nil {
		return v, apperr.NotFound("No forecast for " + origin + " yet.")
	}
	made := newest.UTC()
	v.MadeOn = made.Format(time.DateOnly)
	from := made.AddDate(0, 0, -ForecastPastDays)
	today := s.now().Truncate(24 * time.Hour)
	days := map[string]*ForecastDay{}
	for d := from; d.Before(made.AddDate(0, 0, ForecastDays)); d = d.AddDate(0, 0, 1) {
		v.Days = append(v.Days, ForecastDay{Day: d.Format(time.DateOnly)})
	}
	for i := range v.Days {
		days[v.Days[i].Day] = &v.Days[i]
	}
	originCol := `origin_zip = $1`
	if scope == "zip3" {
		// A range of 5-digit ZIPs, so the (origin_zip, created_at) index serves it.
		originCol = `origin_zip BETWEEN $1 || '00' AND $1 || '99'`
	}
	rows, err := s.reads().Query(ctx, `SELECT ((created_at AT TIME ZONE 'UTC')::date)::text, count(*)::float8 FROM indicia
		WHERE `+originCol+` AND status = 'issued' AND created_at >= $2 AND created_at < $3 GROUP BY 1`, origin, from, today)
	if err != nil {
		return v, fmt.Errorf("metering: actual volume of %s: %w", origin, err)
	}
	var day string
	var x float64
	if _, err := pgx.ForEachRow(rows, []any{&day, &x}, func() error {
		if d := days[day]; d != nil {
			val := x
			d.Actual = &val
		}
		return nil
	}); err != nil {
		return v, fmt.Errorf("metering: actual volume of %s: %w", origin, err)
	}
	// Complete days without pieces had zero.
	for i := range v.Days {
		if d, _ := time.Parse(time.DateOnly, v.Days[i].Day); d.Before(today) && v.Days[i].Actual == nil {
			zero := 0.0
			v.Days[i].Actual = &zero
		}
	}
	// Each day's forecast is the latest run's made on or before it.
	rows, err = s.reads().Query(ctx, `SELECT DISTINCT ON (method, day) method, day::text, pieces, lower, upper FROM volume_forecasts
		WHERE scope = $1 AND origin = $2 AND day >= $3 AND made_on <= day ORDER BY method, day, made_on DESC`, scope, origin, from)
	if err != nil {
		return v, fmt.Errorf("metering: forecasts of %s: %w", origin, err)
	}
	var method string
	var p, lo, hi float64
	if _, err := pgx.ForEachRow(rows, []any{&method, &day, &p, &lo, &hi}, func() error {
		d := days[day]
		if d == nil {
			return nil
		}
		p, lo, hi := p, lo, hi
		if method == "holt_winters" {
			d.Forecast, d.Lower, d.Upper = &p, &lo, &hi
		} else {
			d.Baseline = &p
		}
		return nil
	}); err != nil {
		return v, fmt.Errorf("metering: forecasts of %s: %w", origin, err)
	}
	rows, err = s.reads().Query(ctx, `SELECT method, mape, mae, days FROM forecast_accuracy WHERE scope = $1 AND origin = $2 AND made_on = $3 ORDER BY method`,
		scope, origin, made)
	if err != nil {
		return v, fmt.Errorf("metering: forecast accuracy of %s: %w", origin, err)
	}
	v.Accuracy, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (ForecastAccuracy, error) {
		var a ForecastAccuracy
		err := r.Scan(&a.Method, &a.MAPE, &a.MAE, &a.Days)
		return a, err
	})
	if err != nil {
		return v, fmt.Errorf("metering: forecast accuracy of %s: %w", origin, err)
	}
	return v, nil
}
