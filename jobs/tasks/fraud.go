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
