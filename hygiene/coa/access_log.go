package coa

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"indicia/accounts"
)

// lookupLog writes the access rows of purchase-time look-ups. Every piece
// bought is looked up, so one commit per look-up would be most of the
// commits a purchase costs: concurrent look-ups share one INSERT and one
// commit instead, and each still waits for that commit before it reads
// (the row is durable before the data is used, as with logAccess).
type lookupLog struct {
	pool    *pgxpool.Pool
	mu      sync.Mutex
	waiting []*lookupEntry
	running bool
}

type lookupEntry struct {
	account int64
	subject string
	at      time.Time
	err     error
	done    chan struct{}
	lead    chan struct{} // closed when this entry's goroutine must write a batch
}

// maxLookupBatch bounds the rows of one INSERT.
const maxLookupBatch = 512

// log records one look-up by account accountID of subject, durably.
func (l *lookupLog) log(ctx context.Context, accountID int64, subject string, at time.Time) error {
	e := &lookupEntry{account: accountID, subject: subject, at: at, done: make(chan struct{}), lead: make(chan struct{})}
	l.mu.Lock()
	l.waiting = append(l.waiting, e)
	if !l.running {
		l.running = true
		close(e.lead)
	}
	l.mu.Unlock()
	for {
		select {
		case <-e.done:
			return e.err
		case <-e.lead:
			// The batch is written for others too: it must not stop with this caller.
			l.writeBatch(context.WithoutCancel(ctx))
			e.lead = nil
		}
	}
}

// writeBatch writes the waiting rows (up to maxLookupBatch) in one
// transaction, then hands the lead to a waiting entry, if any.
func (l *lookupLog) writeBatch(ctx context.Context) {
	l.mu.Lock()
	n := min(len(l.waiting), maxLookupBatch)
	batch := l.waiting[:n:n]
	l.waiting = append([]*lookupEntry(nil), l.waiting[n:]...)
	l.mu.Unlock()

	accts, subjects, ats := make([]int64, n), make([]string, n), make([]time.Time, n)
	for i, e := range batch {
		accts[i], subjects[i], ats[i] = e.account, e.subject, e.at
	}
	_, err := l.pool.Exec(ctx, `INSERT INTO coa_access_log (user_id, role, account_id, action, subject, at)
		SELECT NULL, $4, u.acct, 'lookup', u.subject, u.at FROM unnest($1::bigint[], $2::text[], $3::timestamptz[]) AS u(acct, subject, at)`,
		accts, subjects, ats, string(accounts.RoleSystem))
	if err != nil {
		err = fmt.Errorf("coa: log COA access lookup: %w", err)
	}
	for _, e := range batch {
		e.err = err
		close(e.done)
	}

	l.mu.Lock()
	if len(l.waiting) > 0 {
		close(l.waiting[0].lead)
	} else {
		l.running = false
	}
	l.mu.Unlock()
}
