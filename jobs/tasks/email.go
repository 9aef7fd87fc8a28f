package tasks

import (
	"context"

	"indicia/email"
	"indicia/jobs"
)

// sendEmail retries an email whose first attempt failed (email.Retrying).
func sendEmail(s email.Sender) jobs.HandlerFunc {
	send := email.SendJob(s)
	return func(ctx context.Context, j jobs.Job, _ *jobs.Progress) (any, error) {
		return nil, send(ctx, j.Payload)
	}
}
