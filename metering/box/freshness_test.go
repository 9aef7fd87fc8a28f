package box

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func state(n int64) meterState {
	return meterState{Counter: n, Hash: [32]byte{byte(n)}}
}

func putWait(t *testing.T, s *freshStore, serial string, st meterState) {
	t.Helper()
	if err := <-s.put(serial, st); err != nil {
		t.Fatal(err)
	}
}

func reopen(t *testing.T, s *freshStore, dir string) *freshStore {
	t.Helper()
	if s != nil {
		if err := s.close(); err != nil {
			t.Fatal(err)
		}
	}
	s, err := openFreshStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.close() })
	return s
}

func wantState(t *testing.T, s *freshStore, serial string, want meterState) {
	t.Helper()
	got, ok, err := s.get(serial)
	if err != nil || !ok || got.Counter != want.Counter || got.Hash != want.Hash || (got.Pending == nil) != (want.Pending == nil) {
		t.Fatalf("meter %s: got %+v (known %v, err %v), want %+v", serial, got, ok, err, want)
	}
}

func TestFreshStoreKeepsTheLastStateOfEachMeter(t *testing.T) {
	dir := t.TempDir()
	s := reopen(t, nil, dir)
	putWait(t, s, "M1", state(1))
	withPending := state(1)
	withPending.Pending = &pending{Counter: 2, Hash: [32]byte{2}, Op: TxPostage, FirstPiece: 1, LastPiece: 3, Amount: 234}
	putWait(t, s, "M1", withPending)
	putWait(t, s, "M2", state(7))
	// A commit is written lazily; closing makes it durable.
	s.setCached("M2", state(8))
	s.putLazy("M2", state(8))
	s = reopen(t, s, dir)
	wantState(t, s, "M1", withPending)
	got, _, _ := s.get("M1")
	if *got.Pending != *withPending.Pending {
		t.Fatalf("pending step after reopen: %+v, want %+v", got.Pending, withPending.Pending)
	}
	wantState(t, s, "M2", state(8))
	if _, ok, _ := s.get("M3"); ok {
		t.Fatal("a meter never written is known")
	}
}

// A crash tears at most the last group of appends: whatever follows the
// last whole record is ignored, and cleared so that later appends are
// never followed by stale bytes.
func TestFreshStoreIgnoresATornTail(t *testing.T) {
	for name, tear := range map[string]func(l *freshLog) []byte{
		"half a record": func(l *freshLog) []byte {
			rec, _ := encodeRecord(nil, "M1", state(99))
			return rec[:len(rec)/2]
		},
		"a record whose CRC fails": func(l *freshLog) []byte {
			rec, _ := encodeRecord(nil, "M1", state(99))
			rec[len(rec)-1] ^= 0xff
			return rec
		},
		"a length beyond the file": func(l *freshLog) []byte {
			return []byte{0xff, 0xff, 0x00, 0x00, 1, 2, 3, 4}
		},
		// The next append (M1 at counter 2) covers exactly the bad record;
		// the good one behind it must not come back.
		"a group torn in its first record": func(l *freshLog) []byte {
			bad, _ := encodeRecord(nil, "M1", state(2))
			bad[recordHeader+3] ^= 0xff
			good, _ := encodeRecord(nil, "M2", state(98))
			return append(bad, good...)
		},
		"a good record behind garbage": func(l *freshLog) []byte {
			rec, _ := encodeRecord(nil, "M1", state(99))
			return append([]byte{9, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, rec...)
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			s := reopen(t, nil, dir)
			putWait(t, s, "M1", state(1))
			putWait(t, s, "M2", state(5))
			end := s.log.end
			if err := s.close(); err != nil {
				t.Fatal(err)
			}
			f, err := os.OpenFile(filepath.Join(dir, freshLogName), os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteAt(tear(nil), end); err != nil {
				t.Fatal(err)
			}
			f.Close()

			s = reopen(t, nil, dir)
			wantState(t, s, "M1", state(1))
			wantState(t, s, "M2", state(5))
			putWait(t, s, "M1", state(2))
			s = reopen(t, s, dir)
			wantState(t, s, "M1", state(2))
			wantState(t, s, "M2", state(5))
		})
	}
}

// The log grows in zero-filled chunks and, once it is mostly superseded
// records, is rewritten with the live states only.
func TestFreshLogGrowsAndCompacts(t *testing.T) {
	for name, tc := range map[string]struct {
		compactAt      int64
		minMB, maxMB   int64
		wantCompaction bool
	}{
		"grows":    {compactAt: 64 << 20, minMB: 6, maxMB: 7},
		"compacts": {compactAt: 256 << 10, minMB: 1, maxMB: 2, wantCompaction: true},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			l, _, err := openFreshLog(dir)
			if err != nil {
				t.Fatal(err)
			}
			l.chunk, l.compactAt = 64<<10, tc.compactAt
			compacted := false
			// 6 MB of records for 50 meters, in groups of 50, unsynced.
			n, written := 0, 0
			for written < 6<<20 {
				var buf []byte
				for m := range 50 {
					buf, _ = encodeRecord(buf, fmt.Sprintf("M%d", m), state(int64(n)))
					n++
				}
				before := l.end
				written += len(buf)
				if err := l.appendGroup(buf, false); err != nil {
					t.Fatal(err)
				}
				compacted = compacted || l.end < before
			}
			if compacted != tc.wantCompaction {
				t.Fatalf("compacted: %v, want %v", compacted, tc.wantCompaction)
			}
			fi, err := os.Stat(filepath.Join(dir, freshLogName))
			if err != nil || fi.Size() != l.size || l.size < tc.minMB<<20 || l.size > tc.maxMB<<20+l.chunk {
				t.Fatalf("log file: %v bytes (err %v), log says %d: want %d to %d MB", fi.Size(), err, l.size, tc.minMB, tc.maxMB)
			}
			if err := l.close(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(dir, freshLogName+".new")); !os.IsNotExist(err) {
				t.Fatalf("compaction left its temporary file: %v", err)
			}
			s := reopen(t, nil, dir)
			for m := range 50 {
				wantState(t, s, fmt.Sprintf("M%d", m), state(int64(n-50+m)))
			}
		})
	}
}

// A box upgraded from the bbolt store keeps its meters' freshness.
func TestFreshStoreImportsTheBoltStore(t *testing.T) {
	dir := t.TempDir()
	db, err := bolt.Open(filepath.Join(dir, boltFileName), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	withPending := state(3)
	withPending.Pending = &pending{Counter: 4, Hash: [32]byte{4}, Op: TxCredit, Amount: 500}
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("meters"))
		for serial, st := range map[string]meterState{"M1": state(9), "M2": withPending} {
			v, _ := json.Marshal(st)
			if err == nil {
				err = b.Put([]byte(serial), v)
			}
		}
		return err
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	s := reopen(t, nil, dir)
	wantState(t, s, "M1", state(9))
	wantState(t, s, "M2", withPending)
	if _, err := os.Stat(filepath.Join(dir, boltFileName+".imported")); err != nil {
		t.Fatalf("the bbolt file was not set aside: %v", err)
	}
	putWait(t, s, "M1", state(10))
	s = reopen(t, s, dir)
	wantState(t, s, "M1", state(10))

	// An old bbolt store put back next to the log is refused, not imported
	// over newer states.
	s.close()
	if err := os.Rename(filepath.Join(dir, boltFileName+".imported"), filepath.Join(dir, boltFileName)); err != nil {
		t.Fatal(err)
	}
	if _, err := openFreshStore(dir); err == nil {
		t.Fatal("a bbolt store next to the log was accepted")
	}
}

// A second box process on the same state directory would interleave its
// appends with the first's: it is refused until the first closes.
func TestFreshStoreRefusesASecondOpener(t *testing.T) {
	dir := t.TempDir()
	s := reopen(t, nil, dir)
	putWait(t, s, "M1", state(1))
	if s2, err := openFreshStore(dir); err == nil {
		s2.close()
		t.Fatal("a second store opened the directory the first holds")
	} else if !strings.Contains(err.Error(), "in use by another box process") {
		t.Fatalf("second opener: %v", err)
	}
	s = reopen(t, s, dir)
	wantState(t, s, "M1", state(1))
}
