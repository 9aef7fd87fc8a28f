package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"indicia/accounts"
	"indicia/jobs"
	"indicia/metering"
)

// JobKindAdminAlert emails every vendor admin about something that needs
// them now (a tamper alert, a box that stopped answering).
const JobKindAdminAlert = "admin_alert"

// adminAlert is the job's payload: nothing secret, it is stored.
type adminAlert struct {
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// AdminAlerter queues an alert email to the vendor admins; a failure to
// queue is logged, never returned: the alert itself is already stored
// where it was raised, and shows on /admin.
func AdminAlerter(q *jobs.Queue) func(ctx context.Context, subject, body string) {
	return func(ctx context.Context, subject, body string) {
		if _, err := q.Submit(ctx, jobs.New{Kind: JobKindAdminAlert, Payload: adminAlert{Subject: subject, Body: body}}); err != nil {
			slog.ErrorContext(ctx, "tasks: could not queue the admin alert email", "subject", subject, "err", err)
		}
	}
}

// sendAdminAlert emails the alert to every vendor admin who is not
// disabled; when some sends fail the job fails and its retry mails everyone
// again (a repeated alert is better than a lost one).
func sendAdminAlert(pool *pgxpool.Pool, send func(ctx context.Context, to, subject, body string) error) jobs.HandlerFunc {
	return func(ctx context.Context, j jobs.Job, _ *jobs.Progress) (any, error) {
		var a adminAlert
		if err := json.Unmarshal(j.Payload, &a); err != nil {
			return nil, fmt.Errorf("tasks: admin alert payload: %w", err)
		}
		to, err := accounts.AdminEmails(ctx, pool)
		if err != nil {
			return nil, err
		}
		var errs []error
		sent := 0
		for _, addr := range to {
			if err := send(ctx, addr, a.Subject, a.Body); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", addr, err))
				continue
			}
			sent++
		}
		return map[string]int{"sent": sent}, errors.Join(errs...)
	}
}

// boxWatch checks every minute that the box answers, and alerts the vendor
// admins when it stops and again when it is back. The state is this
// process's: the scheduled role runs once per worker.
func boxWatch(m *metering.Service, alert func(ctx context.Context, subject, body string)) jobs.Every {
	var mu sync.Mutex
	down := false
	return jobs.Every{Name: "box watch", Interval: time.Minute, Run: func(ctx context.Context) error {
		err := m.BoxAnswers(ctx)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err != nil && !down:
			down = true
			alert(ctx, "Indicia alert: the secure box is not answering",
				fmt.Sprintf("At %s the secure box did not answer: %v\n\nPurchases and verification fail until it answers again. See /admin.", time.Now().UTC().Format(time.RFC3339), err))
		case err == nil && down:
			down = false
			alert(ctx, "Indicia: the secure box answers again", fmt.Sprintf("At %s the secure box answered again.", time.Now().UTC().Format(time.RFC3339)))
		}
		return err
	}}
}

// keyRotation rotates the record-MAC key monthly without anyone typing a
// command: checked hourly (and at start), it asks the box for the month's
// version when missing. A failure alerts the vendor admins once until a
// rotation succeeds again.
func keyRotation(m *metering.Service, alert func(ctx context.Context, subject, body string)) jobs.Every {
	var mu sync.Mutex
	failing := false
	return jobs.Every{Name: "record-MAC key rotation", Interval: time.Hour, Run: func(ctx context.Context) error {
		kv, rotated, err := m.RotateRecordKey(ctx, time.Now())
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			if !failing {
				failing = true
				alert(ctx, "Indicia alert: the record-MAC key rotation failed",
					fmt.Sprintf("At %s the monthly record-MAC key rotation failed: %v\n\nRecords keep verifying under the current version; new ones are MACed with it until a rotation succeeds. See /admin.",
						time.Now().UTC().Format(time.RFC3339), err))
			}
			return err
		}
		failing = false
		if rotated {
			slog.InfoContext(ctx, "tasks: record-MAC key rotated", "version", kv.Current, "versions", len(kv.Versions))
		}
		return nil
	}}
}
