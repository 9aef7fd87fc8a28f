package email

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"indicia/jobs"
)

// JobKindSend is the job that sends an email the first attempt could not.
const JobKindSend = "email_send"

// Submitter stages and enqueues a job (jobs.Queue).
type Submitter interface {
	Submit(ctx context.Context, n jobs.New) (int64, error)
}

// Retrying sends at once and, when the SMTP server does not take the
// message, hands it to the job queue, which retries with backoff and puts
// it with the dead letters (/admin/jobs) when the retries run out: a mail
// server that is down delays email instead of losing it. The error is
// returned only when neither worked.
func Retrying(s Sender, q Submitter) func(ctx context.Context, to, subject, body string) error {
	return func(ctx context.Context, to, subject, body string) error {
		m := Message{To: to, Subject: subject, Text: body}
		err := s.Send(ctx, m)
		if err == nil {
			return nil
		}
		id, qerr := q.Submit(context.WithoutCancel(ctx), jobs.New{Kind: JobKindSend, Payload: m})
		if qerr != nil {
			return fmt.Errorf("%w (and queueing a retry failed: %v)", err, qerr)
		}
		slog.WarnContext(ctx, "email: send failed; queued for retry", "to", to, "subject", subject, "job", id, "err", err)
		return nil
	}
}

// Once makes one attempt and never queues: for messages that carry a
// credential (a one-time link), which must not be stored in a job's payload.
// The caller decides how to retry.
func Once(s Sender) func(ctx context.Context, to, subject, body string) error {
	return func(ctx context.Context, to, subject, body string) error {
		return s.Send(ctx, Message{To: to, Subject: subject, Text: body})
	}
}

// SendJob is the handler of JobKindSend: one more attempt; an error makes
// the queue try again later.
func SendJob(s Sender) func(ctx context.Context, payload []byte) error {
	return func(ctx context.Context, payload []byte) error {
		var m Message
		if err := json.Unmarshal(payload, &m); err != nil {
			return fmt.Errorf("email: job payload: %w", err)
		}
		return s.Send(ctx, m)
	}
}
