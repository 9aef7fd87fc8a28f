package box

import (
	"sync"
)

// Operations on many meters in one request. A cross-meter database
// transaction (metering/dispense_groupcommit.go) dispenses on several meters at once;
// one request for all of them spares the per-call socket, encoding and goroutine
// cost, and the items running side by side here let their freshness writes
// share one append and one sync. Each item is still its own Fig. 5 step with
// its own answer: one meter's refusal does not touch the others.

// Limits of one DispenseMany or CommitMany request: a bound on what one
// message and one request's goroutines may hold.
const (
	MaxManyItems  = 256
	MaxManyPieces = 4 * MaxBatch
)

// DispenseItem is one meter's dispense in a DispenseMany request.
type DispenseItem struct {
	Record Record
	Pieces []Piece
}

// DispenseItemResult is one item's answer: its result, or its own error, of
// the same kind Dispense returns (*TamperError, ErrInsufficientFunds,
// ErrMeterNotActive, ErrBadRequest, ...).
type DispenseItemResult struct {
	Result DispenseResult
	Err    error
}

// CommitItem is one meter's Commit in a CommitMany request.
type CommitItem struct {
	Serial  string
	Counter int64
}

// DispenseMany runs Dispense for each item, side by side, and answers each
// on its own. Items naming the same meter twice are all refused (ErrBadRequest)
// without touching that meter: two pending steps of one meter must never be
// stored in one database transaction (docs/ARCHITECTURE.md, "one pending step per
// commit"). The error is for the request as a whole (empty or too big).
func (b *Box) DispenseMany(items []DispenseItem) ([]DispenseItemResult, error) {
	if len(items) == 0 || len(items) > MaxManyItems {
		return nil, badRequest("dispense on %d meters in one request: want 1 to %d", len(items), MaxManyItems)
	}
	total := 0
	seen := make(map[string]int, len(items))
	for _, it := range items {
		total += len(it.Pieces)
		seen[it.Record.Serial]++
	}
	if total > MaxManyPieces {
		return nil, badRequest("dispense of %d pieces in one request: want at most %d", total, MaxManyPieces)
	}
	out := make([]DispenseItemResult, len(items))
	var wg sync.WaitGroup
	for i, it := range items {
		if n := seen[it.Record.Serial]; n > 1 {
			out[i].Err = badRequest("meter %s appears %d times in one request: one step per meter and database transaction", it.Record.Serial, n)
			continue
		}
		wg.Go(func() { out[i].Result, out[i].Err = b.Dispense(it.Record, it.Pieces) })
	}
	wg.Wait()
	return out, nil
}

// CommitMany runs Commit for each item and answers each on its own: the
// in-memory state changes at once, the durable writes are not waited for,
// and a late commit is a no-op, as with Commit.
func (b *Box) CommitMany(items []CommitItem) ([]error, error) {
	if len(items) == 0 || len(items) > MaxManyItems {
		return nil, badRequest("commit on %d meters in one request: want 1 to %d", len(items), MaxManyItems)
	}
	errs := make([]error, len(items))
	for i, it := range items {
		errs[i] = b.Commit(it.Serial, it.Counter)
	}
	return errs, nil
}
