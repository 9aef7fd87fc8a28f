package tasks

import (
	"context"
	"log/slog"
	"time"

	"indicia/jobs"
	"indicia/metering"
)

// fraudSweep raises the history-based fraud signals for the last complete
// day. It runs hourly (and at start) rather than once at midnight: every
// signal carries a key naming its meter and day, so a repeat raises nothing
// and a worker that was down catches up.
func fraudSweep(m *metering.Service) jobs.Every {
	return jobs.Every{Name: "fraud sweep", Interval: time.Hour, Run: func(ctx context.Context) error {
		res, err := m.SweepFraud(ctx, time.Now())
		for kind, n := range res {
			if n > 0 {
				slog.InfoContext(ctx, "tasks: fraud signals raised", "kind", kind, "signals", n)
			}
		}
		return err
	}}
}

// forecastRun makes the day's volume forecasts once a day: checked hourly
// (and at start), it runs when today's are missing, so the first check after
// midnight UTC makes them and a worker that was down catches up.
func forecastRun(m *metering.Service) jobs.Every {
	return jobs.Every{Name: "volume forecasts", Interval: time.Hour, Run: func(ctx context.Context) error {
		now := time.Now()
		due, err := m.ForecastsDue(ctx, now)
		if err != nil || !due {
			return err
		}
		res, err := m.RunForecasts(ctx, now)
		if err == nil {
			slog.InfoContext(ctx, "tasks: volume forecasts made", "made_on", res.MadeOn.Format(time.DateOnly), "origins", res.Series)
		}
		return err
	}}
}

// postalRollup adds the finished days to the postal tracking rollup,
// hourly (and at start), so a worker that was down catches up; the rollup
// only ever holds numbers that no longer change, so when it runs is a
// matter of speed, never of correctness.
func postalRollup(m *metering.Service) jobs.Every {
	return jobs.Every{Name: "postal rollup", Interval: time.Hour, Run: func(ctx context.Context) error {
		n, err := m.RollUpPostalDays(ctx, time.Now())
		if err == nil && n > 0 {
			slog.InfoContext(ctx, "tasks: postal days rolled up", "days", n)
		}
		return err
	}}
}
