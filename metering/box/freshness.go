package box

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// meterState is what the box remembers about one meter: the counter and
// hash of the record the database holds, and at most one step it answered
// but has not yet seen committed (DESIGN.md §4).
type meterState struct {
	Counter int64    `json:"n"`
	Hash    [32]byte `json:"h"`
	Pending *pending `json:"p,omitempty"`
}

type pending struct {
	Counter    int64    `json:"n"`
	Hash       [32]byte `json:"h"`
	Op         string   `json:"op"`
	FirstPiece int64    `json:"first,omitempty"` // postage: piece numbers FirstPiece..LastPiece
	LastPiece  int64    `json:"last,omitempty"`
	Amount     int64    `json:"amount,omitempty"` // cents moved by the step
}

var metersBucket = []byte("meters")

// freshStore is the box's own persistent freshness store: a bbolt file
// (fsync on every commit) with an in-memory copy. Writes from concurrent
// requests are group-committed: one writer goroutine takes whatever is
// queued and commits it in one transaction, so N meters cost one fsync.
type freshStore struct {
	db     *bolt.DB
	writes chan write
	done   chan struct{}
	mu     sync.Mutex
	cache  map[string]meterState
}

type write struct {
	serial string
	state  meterState
	errc   chan error
}

func openFreshStore(dir string) (*freshStore, error) {
	db, err := bolt.Open(filepath.Join(dir, "freshness.db"), 0o600, &bolt.Options{Timeout: 2 * time.Second, NoFreelistSync: true})
	if err != nil {
		return nil, fmt.Errorf("box: freshness store: %w", err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucketIfNotExists(metersBucket); return err }); err != nil {
		db.Close()
		return nil, fmt.Errorf("box: freshness store: %w", err)
	}
	s := &freshStore{db: db, writes: make(chan write, 1024), done: make(chan struct{}), cache: map[string]meterState{}}
	go s.writer()
	return s, nil
}

// get returns the state of a meter; ok is false for a meter never seen.
func (s *freshStore) get(serial string) (meterState, bool, error) {
	s.mu.Lock()
	st, ok := s.cache[serial]
	s.mu.Unlock()
	if ok {
		return st, true, nil
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(metersBucket).Get([]byte(serial))
		if v == nil {
			return nil
		}
		ok = true
		return json.Unmarshal(v, &st)
	})
	if err != nil {
		return meterState{}, false, fmt.Errorf("box: freshness store: read %s: %w", serial, err)
	}
	if ok {
		s.mu.Lock()
		s.cache[serial] = st
		s.mu.Unlock()
	}
	return st, ok, nil
}

// setCached changes the in-memory state ahead of its durable write.
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

func (s *freshStore) writer() {
	defer close(s.done)
	for w := range s.writes {
		batch := []write{w}
	drain:
		for len(batch) < 512 {
			select {
			case w, ok := <-s.writes:
				if !ok {
					break drain
				}
				batch = append(batch, w)
			default:
				break drain
			}
		}
		err := s.db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(metersBucket)
			for _, w := range batch {
				v, _ := json.Marshal(w.state)
				if err := b.Put([]byte(w.serial), v); err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil {
			s.mu.Lock()
			for _, w := range batch {
				s.cache[w.serial] = w.state
			}
			s.mu.Unlock()
		} else {
			err = fmt.Errorf("box: freshness store: write: %w", err)
		}
		for _, w := range batch {
			w.errc <- err
		}
	}
}

func (s *freshStore) close() error {
	close(s.writes)
	<-s.done
	return s.db.Close()
}
