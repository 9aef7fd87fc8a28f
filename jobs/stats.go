package jobs

import (
	"context"
	"fmt"
)

// Stats is the queue's depth by status.
type Stats struct {
	Queued, Running, Failed, Dead int64
}

// Stats counts the jobs waiting, running, failed and dead (the admin
// control room; failed jobs are kept with their error, dead ones wait for a
// retry by hand).
func (q *Queue) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	err := q.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'queued'), count(*) FILTER (WHERE status = 'running'),
		count(*) FILTER (WHERE status = 'failed'), count(*) FILTER (WHERE status = 'dead') FROM jobs WHERE status IN ('queued', 'running', 'failed', 'dead')`).
		Scan(&st.Queued, &st.Running, &st.Failed, &st.Dead)
	if err != nil {
		return st, fmt.Errorf("jobs: stats: %w", err)
	}
	return st, nil
}
