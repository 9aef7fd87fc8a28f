package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
)

// Status of a job.
const (
	StatusQueued    = "queued"
	StatusRunning   = "running"
	StatusSucceeded = "succeeded"
	StatusFailed    = "failed" // a try failed; asynq retries it
	StatusDead      = "dead"   // retries exhausted: on the dead-letter list
)

// Job is one unit of background work as its starter sees it.
type Job struct {
	ID        int64
	Kind      string
	Payload   json.RawMessage
	Status    string
	CreatedBy int64
	AccountID int64
	Done      int64
	Total     int64
	Message   string
	Result    json.RawMessage
	Attempts  int
	// Crashes counts attempts that never recorded an outcome (see Options.MaxCrashes).
	Crashes    int
	LastError  string
	CreatedAt  time.Time
	FinishedAt *time.Time
}

// Percent is the progress for a bar, 0–100.
func (j Job) Percent() int {
	if j.Status == StatusSucceeded {
		return 100
	}
	if j.Total <= 0 {
		return 0
	}
	p := int(j.Done * 100 / j.Total)
	if p > 100 {
		p = 100
	}
	return p
}

// Finished reports a job that will not change any more.
func (j Job) Finished() bool { return j.Status == StatusSucceeded || j.Status == StatusDead }

// New describes a job to stage.
type New struct {
	Kind      string
	Payload   any
	CreatedBy int64
	AccountID int64
}

// Stage inserts the job in the caller's transaction; call Queue.Enqueue after commit.
func Stage(ctx context.Context, tx pgx.Tx, n New, now time.Time) (int64, error) {
	payload, err := json.Marshal(n.Payload)
	if err != nil {
		return 0, fmt.Errorf("jobs: encode %s payload: %w", n.Kind, err)
	}
	var creator, acct any
	if n.CreatedBy != 0 {
		creator = n.CreatedBy
	}
	if n.AccountID != 0 {
		acct = n.AccountID
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO jobs (kind, payload, created_by, account_id, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$5) RETURNING id`, n.Kind, payload, creator, acct, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("jobs: stage %s: %w", n.Kind, err)
	}
	return id, nil
}

const jobColumns = `id, kind, payload, status, COALESCE(created_by,0), COALESCE(account_id,0), done, total, message, result, attempts, crashes, last_error, created_at, finished_at`

func scanJob(r pgx.Row) (Job, error) {
	var j Job
	err := r.Scan(&j.ID, &j.Kind, &j.Payload, &j.Status, &j.CreatedBy, &j.AccountID, &j.Done, &j.Total, &j.Message, &j.Result,
		&j.Attempts, &j.Crashes, &j.LastError, &j.CreatedAt, &j.FinishedAt)
	return j, err
}

// Get returns a job its starter, their account's user managers, or an admin may see.
func (q *Queue) Get(ctx context.Context, actor accounts.User, id int64) (Job, error) {
	j, err := scanJob(q.pool.QueryRow(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Job{}, apperr.NotFound("No such job.")
	}
	if err != nil {
		return Job{}, fmt.Errorf("jobs: load %d: %w", id, err)
	}
	visible := actor.Role == accounts.RoleAdmin || actor.Role == accounts.RoleSystem || j.CreatedBy == actor.ID ||
		(j.AccountID != 0 && j.AccountID == actor.AccountID && actor.Can(accounts.PermManageUsers))
	if !visible {
		return Job{}, apperr.NotFound("No such job.")
	}
	return j, nil
}

// Dead lists jobs whose retries ran out, newest first (vendor admins).
func (q *Queue) Dead(ctx context.Context, actor accounts.User, limit int) ([]Job, error) {
	if actor.Role != accounts.RoleAdmin {
		return nil, apperr.Forbidden("Only vendor admins see failed jobs.")
	}
	rows, err := q.pool.Query(ctx, `SELECT `+jobColumns+` FROM jobs WHERE status = 'dead' ORDER BY finished_at DESC NULLS LAST, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("jobs: list dead: %w", err)
	}
	defer rows.Close()
	var out []Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, fmt.Errorf("jobs: scan: %w", err)
		}
		out = append(out, j)
	}
	return out, rows.Err()
}
