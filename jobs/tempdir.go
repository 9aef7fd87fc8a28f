package jobs

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// tempFiles is the worker's private temporary directory (TMPDIR of the job
// process: excelize spills large sheets there). Whatever a job leaves behind
// is removed when it ends, and everything when the worker starts, so a job
// that crashed the worker does not fill the disk.
type tempFiles struct {
	dir     string
	mu      sync.Mutex
	running map[int64]time.Time // job → when its attempt started
}

// SetTempDir makes dir the runner's temporary directory, cleaned at Run and
// after every job. The caller points TMPDIR at it.
func (r *Runner) SetTempDir(dir string) {
	r.temp = &tempFiles{dir: dir, running: map[int64]time.Time{}}
}

// started notes a running job.
func (r *Runner) started(id int64) {
	if r.temp != nil {
		r.temp.mu.Lock()
		r.temp.running[id] = time.Now()
		r.temp.mu.Unlock()
	}
}

// ended removes the temporary files no running job can own: those last
// written before the oldest attempt still running began.
func (r *Runner) ended(id int64) {
	t := r.temp
	if t == nil {
		return
	}
	t.mu.Lock()
	delete(t.running, id)
	before := time.Now()
	for _, s := range t.running {
		if s.Before(before) {
			before = s
		}
	}
	t.mu.Unlock()
	if n, err := CleanTempDir(t.dir, before); err != nil {
		slog.Warn("jobs: clean temporary files", "dir", t.dir, "err", err)
	} else if n > 0 {
		slog.Info("jobs: removed temporary files a job left", "dir", t.dir, "count", n)
	}
}

// CleanTempDir removes the entries of dir last modified before before
// (time.Now() for all) and returns how many went. A missing dir is created.
func CleanTempDir(dir string, before time.Time) (int, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, fmt.Errorf("jobs: temporary directory: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("jobs: temporary directory: %w", err)
	}
	n := 0
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.ModTime().Before(before) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return n, fmt.Errorf("jobs: remove temporary file: %w", err)
		}
		n++
	}
	return n, nil
}
