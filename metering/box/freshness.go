package box

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// meterState is what the box remembers about one meter: the counter and
// hash of the record the database holds, at most one step it answered but
// has not yet seen committed (docs/ARCHITECTURE.md, the box/database hand-off), and at most one more step
// chained on that one (pipelined purchases on one meter, chained.go).
type meterState struct {
	Counter int64    `json:"n"`
	Hash    [32]byte `json:"h"`
	Pending *pending `json:"p,omitempty"`
	Next    *pending `json:"q,omitempty"`
}

type pending struct {
	Counter    int64    `json:"n"`
	Hash       [32]byte `json:"h"`
	Op         string   `json:"op"`
	FirstPiece int64    `json:"first,omitempty"` // postage: piece numbers FirstPiece..LastPiece
	LastPiece  int64    `json:"last,omitempty"`
	Amount     int64    `json:"amount,omitempty"` // cents moved by the step
}

// freshStore is the box's own persistent freshness store: the states of
// all meters in memory, kept durable in an append-only log (freshlog.go).
// Writes from concurrent requests are group-committed: one writer goroutine
// takes whatever is queued and appends it with one write and one fdatasync,
// so N meters cost one sync. A commit (the database has the step) is
// written lazily: appended without a sync of its own, made durable by the
// next sync. Losing it in a crash is harmless by the hand-off protocol: the
// store still holds the pending step, and the next request, presenting the
// committed record, resolves it the same way.
type freshStore struct {
	log    *freshLog
	lock   *os.File
	writes chan write
	done   chan struct{}
	mu     sync.Mutex
	cache  map[string]meterState
	// lastDurable is when a group of writes last became durable (Unix
	// nanoseconds; 0: none since the box started).
	lastDurable atomic.Int64

	closeOnce sync.Once
	closeErr  error
}

type write struct {
	serial string
	state  meterState
	errc   chan error // nil: a lazy write nobody waits for
	cached bool       // the state is in the cache already (putEarly)
}

func openFreshStore(dir string) (*freshStore, error) {
	// Two box processes appending to one log would corrupt it: the first
	// one holds the directory's lock file until it closes the store.
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	if err := importBolt(dir); err != nil {
		lock.Close()
		return nil, err
	}
	log, states, err := openFreshLog(dir)
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("box: freshness store: %w", err)
	}
	s := &freshStore{log: log, lock: lock, writes: make(chan write, 1024), done: make(chan struct{}), cache: states}
	go s.writer()
	return s, nil
}

// lockDir takes the exclusive lock of a freshness store directory.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "freshness.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("box: freshness store: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("box: freshness store %s is in use by another box process", dir)
		}
		return nil, fmt.Errorf("box: freshness store: lock %s: %w", dir, err)
	}
	return f, nil
}

// get returns the state of a meter; ok is false for a meter never seen.
func (s *freshStore) get(serial string) (meterState, bool, error) {
	s.mu.Lock()
	st, ok := s.cache[serial]
	s.mu.Unlock()
	return st, ok, nil
}

// setCached changes the in-memory state ahead of its write.
func (s *freshStore) setCached(serial string, st meterState) {
	s.mu.Lock()
	s.cache[serial] = st
	s.mu.Unlock()
}

// put starts a durable write and returns a channel that yields its result.
// The caller holds the meter's lock until it has read the result, so the
// cache is updated in order.
func (s *freshStore) put(serial string, st meterState) <-chan error {
	w := write{serial: serial, state: st, errc: make(chan error, 1)}
	s.writes <- w
	return w.errc
}

// putEarly sets the in-memory state at once and starts its durable write;
// the channel yields the write's result. For a chained step, whose
// durability is waited for at its confirmation (chained.go), not before the
// box answers.
func (s *freshStore) putEarly(serial string, st meterState) <-chan error {
	s.setCached(serial, st)
	w := write{serial: serial, state: st, errc: make(chan error, 1), cached: true}
	s.writes <- w
	return w.errc
}

// putLazy queues a write that the next durable write (or close) makes
// durable; for states already set with setCached.
func (s *freshStore) putLazy(serial string, st meterState) {
	s.writes <- write{serial: serial, state: st}
}

func (s *freshStore) writer() {
	defer close(s.done)
	var next *write // taken from the queue but too big for the last group
	// The group's records and writes, reused from group to group.
	var buf []byte
	var batch []write
	for {
		var w write
		if next != nil {
			w, next = *next, nil
		} else {
			var ok bool
			if w, ok = <-s.writes; !ok {
				return
			}
		}
		clear(batch) // drop the last group's channels
		batch = append(batch[:0], w)
		var err error
		buf, err = encodeRecord(buf[:0], w.serial, w.state)
		sync := w.errc != nil
	drain:
		for err == nil && len(batch) < 512 {
			select {
			case w, ok := <-s.writes:
				if !ok {
					break drain
				}
				var more []byte
				if more, err = encodeRecord(buf, w.serial, w.state); err != nil {
					break drain
				}
				if len(more) > maxGroupBytes {
					next = &w
					break drain
				}
				buf = more
				batch = append(batch, w)
				sync = sync || w.errc != nil
			default:
				break drain
			}
		}
		if err == nil {
			err = s.log.appendGroup(buf, sync)
			if err == nil && sync {
				s.lastDurable.Store(time.Now().UnixNano())
			}
		}
		if err == nil {
			s.mu.Lock()
			for _, w := range batch {
				if w.errc != nil && !w.cached {
					s.cache[w.serial] = w.state
				}
			}
			s.mu.Unlock()
		} else {
			err = fmt.Errorf("box: freshness store: write: %w", err)
		}
		for _, w := range batch {
			if w.errc != nil {
				w.errc <- err
			} else if err != nil {
				// Nobody waits for a lazy write; the pending step it would
				// have replaced stays on disk and resolves the same way.
				slog.Warn("box: freshness store: lazy write failed", "serial", w.serial, "err", err)
			}
		}
	}
}

// serving: a single box always serves.
func (s *freshStore) serving() error { return nil }

// confirmLeader: a single box is its own majority.
func (s *freshStore) confirmLeader() error { return nil }

// close writes what is queued, makes it durable and closes the log.
func (s *freshStore) close() error {
	s.closeOnce.Do(func() {
		close(s.writes)
		<-s.done
		s.closeErr = s.log.close()
		s.lock.Close() // releases the lock
	})
	return s.closeErr
}

func (s *freshStore) lastDurableWrite() time.Time {
	if ns := s.lastDurable.Load(); ns != 0 {
		return time.Unix(0, ns).UTC()
	}
	return time.Time{}
}
