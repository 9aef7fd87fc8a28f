package addressbook

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"

	"indicia/hygiene/address"
)

type inRow struct {
	line  int32
	input string // the text to cleanse
	err   string
	note  string // a correction made while reading the row
}

type chunk struct {
	rows []inRow
	out  [][]any
}

// Run cleanses every row of batch id (the worker's job). It streams the input
// rows from PostgreSQL, cleanses chunks on every core, and COPYs the results
// back in one transaction, so memory stays bounded by a few chunks whatever
// the size of the list, and a retried job starts clean. progress is called
// after each chunk with rows done and the total.
func (b *Batches) Run(ctx context.Context, id int64, progress func(done, total int64)) (map[address.Status]int64, error) {
	var total int64
	if err := b.pool.QueryRow(ctx, `SELECT total_rows FROM cleanse_batches WHERE id = $1`, id).Scan(&total); err != nil {
		return nil, fmt.Errorf("addressbook: load batch %d: %w", id, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := runtime.GOMAXPROCS(0)
	todo := make(chan *chunk, workers)
	done := make(chan *chunk, workers)
	readErr := make(chan error, 1)

	// Reader: one connection streams the input in file order.
	go func() {
		defer close(todo)
		rows, err := b.pool.Query(ctx, `SELECT line, COALESCE(cleansed_input, input), error, note FROM cleanse_rows WHERE batch_id = $1`, id)
		if err != nil {
			readErr <- fmt.Errorf("addressbook: read batch %d: %w", id, err)
			return
		}
		defer rows.Close()
		c := &chunk{rows: make([]inRow, 0, b.chunk)}
		for rows.Next() {
			var r inRow
			if err := rows.Scan(&r.line, &r.input, &r.err, &r.note); err != nil {
				readErr <- fmt.Errorf("addressbook: read batch %d: %w", id, err)
				return
			}
			c.rows = append(c.rows, r)
			if len(c.rows) == b.chunk {
				select {
				case todo <- c:
				case <-ctx.Done():
					return
				}
				c = &chunk{rows: make([]inRow, 0, b.chunk)}
			}
		}
		if err := rows.Err(); err != nil {
			readErr <- fmt.Errorf("addressbook: read batch %d: %w", id, err)
			return
		}
		if len(c.rows) > 0 {
			select {
			case todo <- c:
			case <-ctx.Done():
			}
		}
		readErr <- nil
	}()

	// Cleansers: the Cleanser is read-only, so one serves every goroutine.
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range todo {
				c.out = make([][]any, len(c.rows))
				for i, r := range c.rows {
					if ctx.Err() != nil {
						return
					}
					c.out[i] = b.cleanseRow(id, r)
				}
				c.rows = nil
				select {
				case done <- c:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()

	counts := map[address.Status]int64{}
	src := &resultSource{in: done, counts: counts, total: total, progress: progress}
	err := pgx.BeginFunc(ctx, b.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM cleanse_results WHERE batch_id = $1`, id); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"cleanse_results"},
			[]string{"batch_id", "line", "status", "delivery", "last_line", "zip", "zip4", "dpv", "reasons"}, src); err != nil {
			return err
		}
		if err := <-readErr; err != nil {
			return err
		}
		c, _ := json.Marshal(counts)
		_, err := tx.Exec(ctx, `UPDATE cleanse_batches SET counts = $2, finished_at = $3 WHERE id = $1`, id, c, b.now().UTC())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("addressbook: cleanse batch %d: %w", id, err)
	}
	return counts, nil
}

func (b *Batches) cleanseRow(id int64, r inRow) []any {
	if r.err != "" {
		return []any{id, r.line, string(StatusUnreadable), "", "", "", "", "", r.err}
	}
	res := b.c.Cleanse(r.input)
	status, reasons := res.Status, strings.Join(res.Reasons, "; ")
	if r.note != "" {
		// The restored ZIP is a correction of the row as uploaded.
		if status == address.StatusValid {
			status = address.StatusCorrected
		}
		reasons = strings.TrimSuffix(r.note+"; "+reasons, "; ")
	}
	return []any{id, r.line, string(status), res.Standardized.DeliveryLine, res.Standardized.LastLine, res.ZIP, res.ZIP4, res.DPV, reasons}
}

// resultSource feeds COPY from the cleansed chunks, in whatever order they finish.
type resultSource struct {
	in       <-chan *chunk
	cur      [][]any
	i        int
	done     int64
	total    int64
	counts   map[address.Status]int64
	progress func(done, total int64)
}

func (s *resultSource) Next() bool {
	for s.i >= len(s.cur) {
		if s.cur != nil {
			s.done += int64(len(s.cur))
			if s.progress != nil {
				s.progress(s.done, s.total)
			}
		}
		c, ok := <-s.in
		if !ok {
			return false
		}
		s.cur, s.i = c.out, 0
	}
	row := s.cur[s.i]
	s.counts[address.Status(row[2].(string))]++
	s.i++
	return true
}

func (s *resultSource) Values() ([]any, error) { return s.cur[s.i-1], nil }
func (s *resultSource) Err() error             { return nil }
