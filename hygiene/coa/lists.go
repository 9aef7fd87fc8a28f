package coa

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/db"
	"indicia/jobs"
)

// COA list statuses.
const (
	ListLoading   = "loading"
	ListActive    = "active"
	ListReplaced  = "replaced"
	ListWithdrawn = "withdrawn"
	ListFailed    = "failed"
)

// COAList is one uploaded change-of-address list.
type COAList struct {
	ID          int64
	Source      string
	Filename    string
	Status      string
	ReplacesID  int64
	UploadedBy  int64
	JobID       int64
	TotalRows   int64
	LoadedRows  int64
	BadRows     int64
	Corrected   int64
	PeriodStart *time.Time
	PeriodEnd   *time.Time
	Message     string
	UploadedAt  time.Time
	LoadedAt    *time.Time
	WithdrawnAt *time.Time
}

// Period is the list's effective period as "2025-01-01 – 2026-03-31".
func (l COAList) Period() string {
	if l.PeriodStart == nil || l.PeriodEnd == nil {
		return ""
	}
	return l.PeriodStart.Format("2006-01-02") + " – " + l.PeriodEnd.Format("2006-01-02")
}

// LineError is one line of a list that was refused, or loaded with a
// correction (Kind says which).
type LineError struct {
	Line   int64
	Reason string
	Kind   string // LineRefused or LineCorrected
}

// Kinds of LineError.
const (
	LineRefused   = "refused"
	LineCorrected = "corrected"
)

// COAListInput describes an upload.
type COAListInput struct {
	Source   string // who issued the list (e.g. "USPS NCOALink weekly 2026-48")
	Filename string // the original file name
	Path     string // where the file was stored (see SaveUpload)
	Replaces int64  // a list this one is a new version of (0: none)
}

// SaveUpload copies an uploaded file into dir under a random name and
// returns its path; the import job reads it from there.
func SaveUpload(dir string, r io.Reader) (string, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("coa: upload directory: %w", err)
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	path := filepath.Join(dir, "coa-"+hex.EncodeToString(b[:])+".upload")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return "", fmt.Errorf("coa: store upload: %w", err)
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		os.Remove(path)
		return "", fmt.Errorf("coa: store upload: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return "", fmt.Errorf("coa: store upload: %w", err)
	}
	return path, nil
}

// CreateList records an uploaded list and stages the job that loads it.
// It returns the list and the job (whose page shows the progress).
func (c *Service) CreateList(ctx context.Context, actor accounts.User, in COAListInput) (COAList, int64, error) {
	if err := canManageLists(actor); err != nil {
		return COAList{}, 0, err
	}
	in.Source = strings.TrimSpace(in.Source)
	if in.Source == "" {
		return COAList{}, 0, apperr.Invalid("source", "Say where the list comes from (for example \"USPS weekly 2026-48\").")
	}
	if len(in.Source) > 200 {
		return COAList{}, 0, apperr.Invalid("source", "At most 200 characters.")
	}
	if len(in.Filename) > 200 {
		in.Filename = in.Filename[:200]
	}
	var l COAList
	var jobID int64
	err := db.Transact(ctx, c.pool, func(tx pgx.Tx) error {
		now := c.now().UTC()
		if in.Replaces != 0 {
			var st string
			err := tx.QueryRow(ctx, `SELECT status FROM coa_lists WHERE id = $1 FOR UPDATE`, in.Replaces).Scan(&st)
			if errors.Is(err, pgx.ErrNoRows) {
				return apperr.Invalid("replaces", "No such list to replace.")
			}
			if err != nil {
				return fmt.Errorf("coa: load COA list %d: %w", in.Replaces, err)
			}
			if st != ListActive {
				return apperr.Invalid("replaces", "Only an active list can be replaced.")
			}
		}
		var rep any
		if in.Replaces != 0 {
			rep = in.Replaces
		}
		err := tx.QueryRow(ctx, `INSERT INTO coa_lists (source, filename, path, replaces_id, uploaded_by, uploaded_at)
			VALUES ($1,$2,$3,$4,$5,$6) RETURNING id`, in.Source, in.Filename, in.Path, rep, actor.ID, now).Scan(&l.ID)
		if err != nil {
			return fmt.Errorf("coa: create COA list: %w", err)
		}
		jobID, err = jobs.Stage(ctx, tx, jobs.New{Kind: JobKindCOAImport, Payload: map[string]int64{"list_id": l.ID}, CreatedBy: actor.ID}, now)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE coa_lists SET job_id = $2 WHERE id = $1`, l.ID, jobID); err != nil {
			return fmt.Errorf("coa: create COA list: %w", err)
		}
		return c.logAccess(ctx, tx, actor, "upload_list", "list "+strconv.FormatInt(l.ID, 10))
	})
	if err != nil {
		return COAList{}, 0, err
	}
	c.enqueue(ctx, jobID)
	l, err = c.getList(ctx, l.ID)
	return l, jobID, err
}

func (c *Service) enqueue(ctx context.Context, jobID int64) {
	if c.q != nil && jobID != 0 {
		// Staged is enough: the sweeper enqueues it if Redis is down now.
		_ = c.q.Enqueue(ctx, jobID)
	}
}

const listColumns = `id, source, filename, status, COALESCE(replaces_id,0), COALESCE(uploaded_by,0), COALESCE(job_id,0), total_rows, loaded_rows,
	bad_rows, corrected_rows, period_start, period_end, message, uploaded_at, loaded_at, withdrawn_at`

func scanList(r pgx.Row) (COAList, error) {
	var l COAList
	err := r.Scan(&l.ID, &l.Source, &l.Filename, &l.Status, &l.ReplacesID, &l.UploadedBy, &l.JobID, &l.TotalRows, &l.LoadedRows,
		&l.BadRows, &l.Corrected, &l.PeriodStart, &l.PeriodEnd, &l.Message, &l.UploadedAt, &l.LoadedAt, &l.WithdrawnAt)
	return l, err
}

func (c *Service) getList(ctx context.Context, id int64) (COAList, error) {
	l, err := scanList(c.pool.QueryRow(ctx, `SELECT `+listColumns+` FROM coa_lists WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return COAList{}, apperr.NotFound("No such change-of-address list.")
	}
	if err != nil {
		return COAList{}, fmt.Errorf("coa: load COA list %d: %w", id, err)
	}
	return l, nil
}

// Lists returns the latest lists, newest first (postal staff only).
func (c *Service) Lists(ctx context.Context, actor accounts.User, limit int) ([]COAList, error) {
	if err := canManageLists(actor); err != nil {
		return nil, err
	}
	if err := c.logAccess(ctx, c.pool, actor, "view_lists", ""); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := c.pool.Query(ctx, `SELECT `+listColumns+` FROM coa_lists ORDER BY uploaded_at DESC, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("coa: list COA lists: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (COAList, error) { return scanList(r) })
}

// List returns one list and its first refused and corrected lines, in line
// order (postal staff only).
func (c *Service) List(ctx context.Context, actor accounts.User, id int64, maxErrors int) (COAList, []LineError, error) {
	if err := canManageLists(actor); err != nil {
		return COAList{}, nil, err
	}
	l, err := c.getList(ctx, id)
	if err != nil {
		return COAList{}, nil, err
	}
	if err := c.logAccess(ctx, c.pool, actor, "view_list", "list "+strconv.FormatInt(id, 10)); err != nil {
		return COAList{}, nil, err
	}
	rows, err := c.pool.Query(ctx, `SELECT line, reason, kind FROM coa_list_errors WHERE list_id = $1 ORDER BY line LIMIT $2`, id, maxErrors)
	if err != nil {
		return COAList{}, nil, fmt.Errorf("coa: errors of COA list %d: %w", id, err)
	}
	errs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (LineError, error) {
		var e LineError
		return e, r.Scan(&e.Line, &e.Reason, &e.Kind)
	})
	return l, errs, err
}

// Withdraw takes a list out of service: its pending matches are withdrawn
// and the addresses it touched are matched again against the other lists.
// It returns the re-matching job.
func (c *Service) Withdraw(ctx context.Context, actor accounts.User, id int64) (int64, error) {
	if err := canManageLists(actor); err != nil {
		return 0, err
	}
	var jobID int64
	err := db.Transact(ctx, c.pool, func(tx pgx.Tx) error {
		now := c.now().UTC()
		var st string
		err := tx.QueryRow(ctx, `SELECT status FROM coa_lists WHERE id = $1 FOR UPDATE`, id).Scan(&st)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.NotFound("No such change-of-address list.")
		}
		if err != nil {
			return fmt.Errorf("coa: withdraw COA list %d: %w", id, err)
		}
		if st == ListWithdrawn {
			return apperr.Conflict("", "This list is already withdrawn.")
		}
		if jobID, err = c.retire(ctx, tx, id, ListWithdrawn, actor.ID, now); err != nil {
			return err
		}
		return c.logAccess(ctx, tx, actor, "withdraw_list", "list "+strconv.FormatInt(id, 10))
	})
	if err != nil {
		return 0, err
	}
	c.enqueue(ctx, jobID)
	return jobID, nil
}

// retire marks a list withdrawn or replaced, withdraws the pending matches
// that rest on any of its records, and stages the job that re-matches its
// keys against the lists still in service.
func (c *Service) retire(ctx context.Context, tx pgx.Tx, id int64, status string, by int64, now time.Time) (int64, error) {
	if _, err := tx.Exec(ctx, `UPDATE coa_lists SET status = $2, withdrawn_at = $3 WHERE id = $1`, id, status, now); err != nil {
		return 0, fmt.Errorf("coa: retire COA list %d: %w", id, err)
	}
	_, err := tx.Exec(ctx, `UPDATE coa_matches m SET status = 'withdrawn', decided_at = $2
		WHERE m.status = 'pending' AND (m.list_id = $1 OR EXISTS (SELECT 1 FROM coa_records r WHERE r.id = m.final_id AND r.list_id = $1))`, id, now)
	if err != nil {
		return 0, fmt.Errorf("coa: withdraw matches of COA list %d: %w", id, err)
	}
	return jobs.Stage(ctx, tx, jobs.New{Kind: JobKindCOAMatch, Payload: matchPayload{Lists: []int64{id}}, CreatedBy: by}, now)
}
