package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"indicia/accounts"
	"indicia/jobs"
	"indicia/metering"
	"indicia/metering/box"
)

// JobKindAdminAlert emails every vendor admin about something that needs
// them now (a tamper alert, a box that stopped answering).
const JobKindAdminAlert = "admin_alert"

// adminAlert is the job's payload: nothing secret, it is stored.
type adminAlert struct {
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// AdminAlertStager stages an alert email to the vendor admins in the
// caller's transaction and returns what queues it after the commit; a
// failure to queue is logged, not returned: the staged job is committed
// and the queue's sweep queues it.
func AdminAlertStager(q *jobs.Queue) func(ctx context.Context, tx pgx.Tx, subject, body string) (func(context.Context), error) {
	return func(ctx context.Context, tx pgx.Tx, subject, body string) (func(context.Context), error) {
		id, err := jobs.Stage(ctx, tx, jobs.New{Kind: JobKindAdminAlert, Payload: adminAlert{Subject: subject, Body: body}}, time.Now())
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context) {
			if err := q.Enqueue(ctx, id); err != nil {
				slog.WarnContext(ctx, "tasks: alert email stored, not yet queued; the sweep queues it", "subject", subject, "err", err)
			}
		}, nil
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

// watchStore keeps what the periodic checks last concluded (metering).
type watchStore interface {
	RecordWatch(ctx context.Context, name string, failing bool, detail string, onChange func(ctx context.Context, tx pgx.Tx) error) (bool, error)
}

// alertOnChange records a check's outcome; when it starts or ends an
// incident and subject is set, the alert email is staged in the same
// transaction and queued after the commit (when queueing fails, the
// queue's sweep queues it). So however many workers check, and across
// their restarts, each incident is emailed once.
func alertOnChange(ctx context.Context, st watchStore, q *jobs.Queue, name string, failing bool, detail, subject, body string) error {
	var id int64
	changed, err := st.RecordWatch(ctx, name, failing, detail, func(ctx context.Context, tx pgx.Tx) error {
		if subject == "" {
			return nil
		}
		var err error
		id, err = jobs.Stage(ctx, tx, jobs.New{Kind: JobKindAdminAlert, Payload: adminAlert{Subject: subject, Body: body}}, time.Now())
		return err
	})
	if err != nil {
		return err
	}
	if changed && id != 0 {
		if err := q.Enqueue(ctx, id); err != nil {
			slog.WarnContext(ctx, "tasks: alert email stored, not yet queued; the sweep queues it", "subject", subject, "err", err)
		}
	}
	return nil
}

// boxChecker says whether the box answers (metering).
type boxChecker interface {
	BoxAnswers(ctx context.Context) error
}

// boxWatch checks every minute that the box answers, and alerts the vendor
// admins when it stops and again when it is back, once per change
// whichever worker sees it first.
func boxWatch(box boxChecker, st watchStore, q *jobs.Queue) jobs.Every {
	return jobs.Every{Name: "box watch", Interval: time.Minute, Run: func(ctx context.Context) error {
		err := box.BoxAnswers(ctx)
		now := time.Now().UTC().Format(time.RFC3339)
		if err != nil {
			if aerr := alertOnChange(ctx, st, q, metering.WatchBox, true, err.Error(), "Indicia alert: the secure box is not answering",
				fmt.Sprintf("At %s the secure box did not answer: %v\n\nPurchases and verification fail until it answers again. See /admin.", now, err)); aerr != nil {
				return errors.Join(err, aerr)
			}
			return err
		}
		return alertOnChange(ctx, st, q, metering.WatchBox, false, "", "Indicia: the secure box answers again",
			fmt.Sprintf("At %s the secure box answered again.", now))
	}}
}

// keyRotator rotates the record-MAC key when the month's version is
// missing (metering).
type keyRotator interface {
	RotateRecordKey(ctx context.Context, now time.Time) (box.KeyVersions, bool, error)
}

// keyRotation rotates the record-MAC key monthly without anyone typing a
// command: checked hourly (and at start), it asks the box for the month's
// version when missing. A failure alerts the vendor admins once until a
// rotation succeeds again.
func keyRotation(r keyRotator, st watchStore, q *jobs.Queue) jobs.Every {
	return jobs.Every{Name: "record-MAC key rotation", Interval: time.Hour, Run: func(ctx context.Context) error {
		kv, rotated, err := r.RotateRecordKey(ctx, time.Now())
		if err != nil {
			if aerr := alertOnChange(ctx, st, q, metering.WatchKeyRotation, true, err.Error(), "Indicia alert: the record-MAC key rotation failed",
				fmt.Sprintf("At %s the monthly record-MAC key rotation failed: %v\n\nRecords keep verifying under the current version; new ones are MACed with it until a rotation succeeds. See /admin.",
					time.Now().UTC().Format(time.RFC3339), err)); aerr != nil {
				return errors.Join(err, aerr)
			}
			return err
		}
		if rotated {
			slog.InfoContext(ctx, "tasks: record-MAC key rotated", "version", kv.Current, "versions", len(kv.Versions))
		}
		// Back to healthy: nothing to email.
		return alertOnChange(ctx, st, q, metering.WatchKeyRotation, false, "", "", "")
	}}
}
