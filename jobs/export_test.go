package jobs

import (
	"context"
	"time"
)

// MarkRunningForTest leaves a job as a killed worker would: running, with
// crashes already counted.
func MarkRunningForTest(ctx context.Context, q *Queue, id int64, crashes int) error {
	_, err := q.pool.Exec(ctx, `UPDATE jobs SET status = 'running', attempts = attempts + 1, crashes = $2, updated_at = $3 WHERE id = $1`,
		id, crashes, time.Now().UTC())
	return err
}
