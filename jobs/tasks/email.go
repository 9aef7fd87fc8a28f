package tasks

import (
	"context"

	"indicia/accounts"
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

// sendLinkEmail sends again a reset or confirmation link whose first email
// failed, with a link minted now (the job holds none).
func sendLinkEmail(a *accounts.Service) jobs.HandlerFunc {
	return func(ctx context.Context, j jobs.Job, _ *jobs.Progress) (any, error) {
		return nil, a.SendLinkJob(ctx, j.Payload)
	}
}
