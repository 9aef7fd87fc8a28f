package coa

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// PurgeUploads deletes uploaded list files (personal data) older than
// cutoff: a loaded, replaced, withdrawn or failed list forgets its file (its
// records stay: they are what purchases are checked against), and any file
// in dir that no list names any more (a crash between saving and recording)
// goes too once it is older than cutoff. A list still loading keeps its file.
func (c *Service) PurgeUploads(ctx context.Context, dir string, cutoff time.Time) (int, error) {
	rows, err := c.pool.Query(ctx, `WITH old AS (
			SELECT id, path FROM coa_lists WHERE path <> '' AND uploaded_at < $1 AND status <> 'loading' FOR UPDATE)
		UPDATE coa_lists l SET path = '' FROM old WHERE l.id = old.id RETURNING old.path`, cutoff)
	if err != nil {
		return 0, fmt.Errorf("coa: purge uploads: %w", err)
	}
	var paths []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return 0, fmt.Errorf("coa: purge uploads: %w", err)
		}
		paths = append(paths, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("coa: purge uploads: %w", err)
	}
	n := 0
	for _, p := range paths {
		if err := os.Remove(p); err == nil {
			n++
		} else if !errors.Is(err, fs.ErrNotExist) {
			return n, fmt.Errorf("coa: purge upload: %w", err)
		}
	}
	if dir == "" {
		return n, nil
	}
	live := map[string]bool{}
	lr, err := c.pool.Query(ctx, `SELECT path FROM coa_lists WHERE path <> ''`)
	if err != nil {
		return n, fmt.Errorf("coa: purge uploads: %w", err)
	}
	for lr.Next() {
		var p string
		if err := lr.Scan(&p); err == nil {
			live[filepath.Clean(p)] = true
		}
	}
	lr.Close()
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return n, nil
	}
	if err != nil {
		return n, fmt.Errorf("coa: purge uploads: %w", err)
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() || live[filepath.Clean(p)] || !info.ModTime().Before(cutoff) {
			continue
		}
		if os.Remove(p) == nil {
			n++
		}
	}
	return n, nil
}
