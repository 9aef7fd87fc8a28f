package addressbook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/db"
	"indicia/hygiene/address"
	"indicia/jobs"
)

// JobKindCleanse is the job kind that cleanses an uploaded batch.
const JobKindCleanse = "cleanse_batch"

// StatusUnreadable is the result status of a row the importer could not read.
const StatusUnreadable address.Status = "unreadable"

// BatchImportSpec: a batch file has either one "address" column (the whole
// address on one line) or line1 with zip or with city and state.
var BatchImportSpec = address.ImportSpec{
	Columns:  []string{"address", "line1", "line2", "city", "state", "zip"},
	Required: [][]string{{"address"}, {"line1", "zip"}, {"line1", "city", "state"}},
	Aliases: map[string]string{
		"full address": "address", "address1": "line1", "address line 1": "line1", "street": "line1", "delivery line": "line1",
		"address2": "line2", "address line 2": "line2", "zipcode": "zip", "zip code": "zip", "postal code": "zip",
	},
}

// Batch is one uploaded list.
type Batch struct {
	ID         int64
	AccountID  int64
	CreatedBy  int64
	JobID      int64
	Filename   string
	TotalRows  int64
	BadRows    int64
	Counts     map[address.Status]int64
	FinishedAt *time.Time
	CreatedAt  time.Time
}

// BatchRow is one row of a batch, before and after.
type BatchRow struct {
	Line         int
	Input        string // the address as one line
	Status       address.Status
	DeliveryLine string
	LastLine     string
	ZIP, ZIP4    string
	DPV          string
	Reasons      string // "; "-joined
}

// Batches stores uploads and cleanses them on the worker.
type Batches struct {
	pool *pgxpool.Pool
	c    *address.Cleanser
	q    *jobs.Queue
	now  func() time.Time
	// ChunkSize is the number of rows per unit of parallel work.
	chunk int
}

// NewBatches returns the batch store; q enqueues the cleansing jobs (nil on the worker).
func NewBatches(pool *pgxpool.Pool, c *address.Cleanser, q *jobs.Queue) *Batches {
	return &Batches{pool: pool, c: c, q: q, now: time.Now, chunk: 4096}
}

// rowText turns an import row into the text stored (as uploaded) and, when
// a ZIP that lost its leading zero is restored from the row's city and
// state, the text cleansed instead and the reason.
func (b *Batches) rowText(v []string) (text, fixed, note string) {
	if strings.TrimSpace(v[0]) != "" {
		if r, note := b.c.RestoreTextZIP(v[0]); note != "" {
			return v[0], r, note
		}
		return v[0], "", ""
	}
	f := address.Fields{Line1: v[1], Line2: v[2], City: v[3], State: v[4], ZIP: v[5]}
	if r, note := b.c.RestoreFieldsZIP(f, "zip"); note != "" {
		return f.Text(), r.Text(), note
	}
	return f.Text(), "", ""
}

// importSource feeds COPY from the importer, counting bad rows.
type importSource struct {
	ctx   context.Context // the upload's request: rows stop when it ends
	b     *Batches
	im    *address.Importer
	batch int64
	row   [6]any
	err   error
	total int64
	bad   int64
}

func (s *importSource) Next() bool {
	if err := s.ctx.Err(); err != nil {
		s.err = err
		return false
	}
	r, err := s.im.Next()
	if err == io.EOF {
		return false
	}
	if err != nil {
		s.err = err
		return false
	}
	s.total++
	var text, note string
	var fixed *string // NULL: the row is cleansed as uploaded
	if r.Err == "" {
		var f string
		text, f, note = s.b.rowText(r.Values)
		if f != "" {
			fixed = &f
		}
		if strings.TrimSpace(text) == "" {
			r.Err = "no address in this row"
		}
	}
	if r.Err != "" {
		s.bad++
		text, fixed, note = "", nil, ""
	}
	s.row = [6]any{s.batch, r.Line, text, r.Err, note, fixed}
	return true
}

func (s *importSource) Values() ([]any, error) { return s.row[:], nil }
func (s *importSource) Err() error             { return s.err }

// Upload stores every row of im as a new batch and stages its cleansing job
// in the same transaction, then enqueues the job. It returns the batch and
// job IDs. A file refused as a whole returns an *ImportError and stores nothing.
func (b *Batches) Upload(ctx context.Context, actor accounts.User, im *address.Importer, filename string) (batchID, jobID int64, err error) {
	if err := AuthorizeRead(actor); err != nil {
		return 0, 0, err
	}
	if len(filename) > 200 {
		filename = filename[:200]
	}
	err = db.Transact(ctx, b.pool, func(tx pgx.Tx) error {
		now := b.now().UTC()
		if err := tx.QueryRow(ctx, `INSERT INTO cleanse_batches (account_id, created_by, filename, created_at) VALUES ($1,$2,$3,$4) RETURNING id`,
			actor.AccountID, actor.ID, filename, now).Scan(&batchID); err != nil {
			return fmt.Errorf("addressbook: create batch: %w", err)
		}
		src := &importSource{ctx: ctx, b: b, im: im, batch: batchID}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"cleanse_rows"}, []string{"batch_id", "line", "input", "error", "note", "cleansed_input"}, src); err != nil {
			// pgx reports the source's error as the server's; take ours back.
			var ie *address.ImportError
			if errors.As(src.err, &ie) {
				return ie
			}
			return fmt.Errorf("addressbook: store batch rows: %w", err)
		}
		if src.total == 0 {
			return &address.ImportError{Err: address.ErrImportNoHeader, Message: "The file has a header row but no addresses."}
		}
		jobID, err = jobs.Stage(ctx, tx, jobs.New{Kind: JobKindCleanse, Payload: map[string]int64{"batch_id": batchID},
			CreatedBy: actor.ID, AccountID: actor.AccountID}, now)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE cleanse_batches SET total_rows = $2, bad_rows = $3, job_id = $4 WHERE id = $1`, batchID, src.total, src.bad, jobID)
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	if b.q != nil {
		// Staged is enough: the sweeper enqueues it if Redis is down now.
		_ = b.q.Enqueue(ctx, jobID)
	}
	return batchID, jobID, nil
}

const batchColumns = `id, account_id, COALESCE(created_by,0), COALESCE(job_id,0), filename, total_rows, bad_rows, counts, finished_at, created_at`

func scanBatch(r pgx.Row) (Batch, error) {
	var bt Batch
	var counts []byte
	err := r.Scan(&bt.ID, &bt.AccountID, &bt.CreatedBy, &bt.JobID, &bt.Filename, &bt.TotalRows, &bt.BadRows, &counts, &bt.FinishedAt, &bt.CreatedAt)
	if err == nil {
		bt.Counts = map[address.Status]int64{}
		_ = json.Unmarshal(counts, &bt.Counts)
	}
	return bt, err
}

// Get returns a batch of the actor's account.
func (b *Batches) Get(ctx context.Context, actor accounts.User, id int64) (Batch, error) {
	if err := AuthorizeRead(actor); err != nil {
		return Batch{}, err
	}
	bt, err := scanBatch(b.pool.QueryRow(ctx, `SELECT `+batchColumns+` FROM cleanse_batches WHERE id = $1 AND account_id = $2`, id, actor.AccountID))
	if errors.Is(err, pgx.ErrNoRows) {
		return Batch{}, apperr.NotFound("No such list.")
	}
	if err != nil {
		return Batch{}, fmt.Errorf("addressbook: load batch %d: %w", id, err)
	}
	return bt, nil
}

// Recent lists the account's latest batches.
func (b *Batches) Recent(ctx context.Context, actor accounts.User, limit int) ([]Batch, error) {
	if err := AuthorizeRead(actor); err != nil {
		return nil, err
	}
	rows, err := b.pool.Query(ctx, `SELECT `+batchColumns+` FROM cleanse_batches WHERE account_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, actor.AccountID, limit)
	if err != nil {
		return nil, fmt.Errorf("addressbook: list batches: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Batch, error) { return scanBatch(r) })
}

const batchRowQuery = `SELECT r.line, r.input, r.error, COALESCE(x.status,''), COALESCE(x.delivery,''), COALESCE(x.last_line,''),
	COALESCE(x.zip,''), COALESCE(x.zip4,''), COALESCE(x.dpv,''), COALESCE(x.reasons,'')
	FROM cleanse_rows r LEFT JOIN cleanse_results x ON x.batch_id = r.batch_id AND x.line = r.line WHERE r.batch_id = $1`

func scanBatchRow(r pgx.CollectableRow) (BatchRow, error) {
	var br BatchRow
	var errText, st string
	err := r.Scan(&br.Line, &br.Input, &errText, &st, &br.DeliveryLine, &br.LastLine, &br.ZIP, &br.ZIP4, &br.DPV, &br.Reasons)
	br.Status = address.Status(st)
	br.Input = strings.ReplaceAll(br.Input, "\n", ", ")
	if errText != "" {
		br.Status, br.Reasons = StatusUnreadable, errText
	}
	return br, err
}

// Rows returns a page of a batch's rows in file order; status filters ("" all).
func (b *Batches) Rows(ctx context.Context, actor accounts.User, id int64, status address.Status, offset, limit int) ([]BatchRow, error) {
	if _, err := b.Get(ctx, actor, id); err != nil {
		return nil, err
	}
	q := batchRowQuery
	args := []any{id, limit, offset}
	switch status {
	case "":
	case StatusUnreadable:
		q += ` AND r.error <> ''`
	default:
		q += ` AND x.status = $4`
		args = append(args, string(status))
	}
	rows, err := b.pool.Query(ctx, q+` ORDER BY r.line LIMIT $2 OFFSET $3`, args...)
	if err != nil {
		return nil, fmt.Errorf("addressbook: rows of batch %d: %w", id, err)
	}
	return pgx.CollectRows(rows, scanBatchRow)
}

// Each streams every row of a batch in file order to fn (downloads use it).
func (b *Batches) Each(ctx context.Context, actor accounts.User, id int64, fn func(BatchRow) error) error {
	if _, err := b.Get(ctx, actor, id); err != nil {
		return err
	}
	rows, err := b.pool.Query(ctx, batchRowQuery+` ORDER BY r.line`, id)
	if err != nil {
		return fmt.Errorf("addressbook: stream batch %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		br, err := scanBatchRow(rows)
		if err != nil {
			return fmt.Errorf("addressbook: stream batch %d: %w", id, err)
		}
		if err := fn(br); err != nil {
			return err
		}
	}
	return rows.Err()
}
