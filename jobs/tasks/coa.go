package tasks

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hibiken/asynq"

	"indicia/hygiene/coa"
	"indicia/jobs"
)

// coaImport loads an uploaded change-of-address list (coa.Service.ImportList).
func coaImport(c *coa.Service) jobs.HandlerFunc {
	return func(ctx context.Context, j jobs.Job, p *jobs.Progress) (any, error) {
		var in struct {
			ListID int64 `json:"list_id"`
		}
		if err := json.Unmarshal(j.Payload, &in); err != nil || in.ListID == 0 {
			return nil, fmt.Errorf("tasks: coa import: bad payload %s: %w", j.Payload, asynq.SkipRetry)
		}
		// The row count of a streamed file is known only at its end: the bar
		// uses the estimate from the share of the file read.
		sum, err := c.ImportList(ctx, in.ListID, func(done, est int64, msg string) { p.Set(ctx, done, max(est, done+1), msg) })
		if err != nil {
			return nil, err
		}
		p.Set(ctx, sum.Total, sum.Total, fmt.Sprintf("%d rows loaded, %d bad; matching against address books", sum.Loaded, sum.Bad))
		return sum, nil
	}
}

// coaMatch matches lists or one account's book (coa.Service.RunMatchJob).
func coaMatch(c *coa.Service) jobs.HandlerFunc {
	return func(ctx context.Context, j jobs.Job, p *jobs.Progress) (any, error) {
		step := int64(0)
		sum, err := c.RunMatchJob(ctx, j.Payload, func(msg string) { step++; p.Set(ctx, step, 6, msg) })
		if err != nil {
			return nil, err
		}
		p.Set(ctx, 6, 6, fmt.Sprintf("%d new matches", sum.NewMatches))
		return sum, nil
	}
}
