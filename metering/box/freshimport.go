package box

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// boltFileName is the freshness store of boxes before the log
// (freshlog.go): a bbolt file with one JSON state per meter serial.
const boltFileName = "freshness.db"

// importBolt moves an older box's bbolt freshness store into the log, once:
// the states are written as a new log (made durable) before the bbolt file
// is renamed aside, so a crash in between only repeats the import.
func importBolt(dir string) error {
	path := filepath.Join(dir, boltFileName)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, freshLogName)); err == nil {
		// Importing now would put older states over the log's: refuse to
		// guess which one is the box's.
		return fmt.Errorf("box: freshness store: both %s and %s are in %s: an old store was put back; move it away", boltFileName, freshLogName, dir)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("box: freshness store: import %s: %w", path, err)
	}
	defer db.Close()
	var recs [][]byte
	err = db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("meters"))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var st meterState
			if err := json.Unmarshal(v, &st); err != nil {
				return fmt.Errorf("meter %s: %w", k, err)
			}
			rec, err := encodeRecord(nil, string(k), st)
			recs = append(recs, rec)
			return err
		})
	})
	if err == nil {
		l := &freshLog{dir: dir, chunk: chunkSize}
		if err = l.rewrite(recs); err == nil {
			err = l.f.Close()
		}
	}
	if err == nil {
		db.Close()
		err = os.Rename(path, path+".imported")
	}
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		return fmt.Errorf("box: freshness store: import %s: %w", path, err)
	}
	return nil
}
