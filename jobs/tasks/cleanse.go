package tasks

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hibiken/asynq"

	"indicia/hygiene/addressbook"
	"indicia/jobs"
)

// cleanseBatch runs addressbook.Batches.Run for the batch named in the payload.
func cleanseBatch(b *addressbook.Batches) jobs.HandlerFunc {
	return func(ctx context.Context, j jobs.Job, p *jobs.Progress) (any, error) {
		var in struct {
			BatchID int64 `json:"batch_id"`
		}
		if err := json.Unmarshal(j.Payload, &in); err != nil || in.BatchID == 0 {
			return nil, fmt.Errorf("tasks: cleanse: bad payload %s: %w", j.Payload, asynq.SkipRetry)
		}
		counts, err := b.Run(ctx, in.BatchID, func(done, total int64) {
			p.Set(ctx, done, total, fmt.Sprintf("%d of %d addresses cleansed", done, total))
		})
		if err != nil {
			return nil, err
		}
		return map[string]any{"batch_id": in.BatchID, "counts": counts}, nil
	}
}
