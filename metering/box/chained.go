package box

import (
	"fmt"
	"sync"
)

// Chained steps: pipelined purchases on one meter. On a busy meter the next
// group of purchases should not wait for the previous group's database
// commit before the box signs it. So serve may ask for a step chained on
// the box's latest answer while the database transaction that stores that
// answer is still open (docs/ARCHITECTURE.md, "Pipelined
// purchases on one meter").
//
// The rules that keep this safe:
//   - Every other step-changing request (Dispense, Credit, SetStatus,
//     SetOrigin) comes from a caller holding the meter's row lock and
//     presenting the row it read: the committed record, or one of the
//     pending steps. The box may discard steps on its word (checkFresh).
//   - A chained request holds no lock, so it never discards anything: it is
//     accepted only on the box's latest step, and only when a slot is free
//     (at most two steps pending per meter); otherwise ErrStale.
//   - Before storing a chained step, the caller locks the row, checks that it
//     holds the record the step was built on, and Confirms the step while
//     holding the lock. A step discarded in between (by a locked caller
//     whose transaction then rolled back, leaving the row as it was) fails
//     the confirmation, so the database never stores a step the box forgot:
//     no false tamper alert afterwards.

// DispenseChained is Dispense for a caller without the meter's row lock:
// rec must be the box's latest step for the meter (committed with nothing
// pending, or the pending step with no step chained on it yet).
func (b *Box) DispenseChained(rec Record, pieces []Piece) (DispenseResult, error) {
	return b.dispense(rec, pieces, true)
}

// checkChained returns the state a chained step builds on and whether the
// step goes in the Next slot (after a pending step) or the Pending slot.
func (b *Box) checkChained(rec *Record) (meterState, bool, error) {
	st, known, err := b.store.get(rec.Serial)
	if err != nil {
		return meterState{}, false, err
	}
	h := rec.Hash()
	switch {
	case !known:
	case st.Pending == nil && rec.Counter == st.Counter && h == st.Hash:
		return meterState{Counter: st.Counter, Hash: st.Hash}, false, nil
	case st.Pending != nil && st.Next == nil && rec.Counter == st.Pending.Counter && h == st.Pending.Hash:
		return st, true, nil
	}
	return meterState{}, false, fmt.Errorf("box: meter %s: chained step on counter %d: %w", rec.Serial, rec.Counter, ErrStale)
}

// Confirm checks, for a caller holding the meter's row lock and having read
// there the record a chained step was built on, that the box still holds
// that step (counter and record hash). A step in the Next slot implies that
// the step before it is committed (the caller read its record), so it moves
// up to Pending.
func (b *Box) Confirm(serial string, counter int64, hash [32]byte) error {
	defer b.lock(serial)()
	if errc := b.unsynced.take(serial); errc != nil {
		if err := <-errc; err != nil {
			return err // the step is not durable: the caller must not store it
		}
	}
	st, known, err := b.store.get(serial)
	if err != nil {
		return err
	}
	switch {
	case known && st.Pending != nil && st.Pending.Counter == counter && st.Pending.Hash == hash:
		return nil
	case known && st.Next != nil && st.Next.Counter == counter && st.Next.Hash == hash:
		st = meterState{Counter: st.Pending.Counter, Hash: st.Pending.Hash, Pending: st.Next}
		b.store.setCached(serial, st)
		b.store.putLazy(serial, st) // lazy as in Commit: losing it only keeps the older step pending
		return nil
	}
	return fmt.Errorf("box: meter %s: confirm step %d: %w", serial, counter, ErrStale)
}

// unsyncedWrites are the durable writes of chained steps, by meter: the
// latest one covers every earlier write of the log.
type unsyncedWrites struct {
	mu sync.Mutex
	m  map[string]<-chan error
}

func (u *unsyncedWrites) put(serial string, errc <-chan error) {
	u.mu.Lock()
	if u.m == nil {
		u.m = map[string]<-chan error{}
	}
	u.m[serial] = errc
	u.mu.Unlock()
}

func (u *unsyncedWrites) take(serial string) <-chan error {
	u.mu.Lock()
	defer u.mu.Unlock()
	errc := u.m[serial]
	delete(u.m, serial)
	return errc
}
