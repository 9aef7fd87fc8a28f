// Package tmpdir gives a process its own temporary directory under the var
// directory and removes the ones of processes that died: a process killed
// mid-upload or mid-job (out of memory, SIGKILL) never ran its cleanup, and
// the files it spilled (multipart uploads, excelize worksheets) would
// otherwise stay on disk for ever.
package tmpdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Claim creates base/role-<pid> and removes every base/role-<pid> whose
// process is gone. The caller points TMPDIR at the returned directory.
func Claim(base, role string) (dir string, removed int, err error) {
	if err := os.MkdirAll(base, 0o700); err != nil {
		return "", 0, fmt.Errorf("tmpdir: %w", err)
	}
	entries, err := os.ReadDir(base)
	if err != nil {
		return "", 0, fmt.Errorf("tmpdir: %w", err)
	}
	self := os.Getpid()
	for _, e := range entries {
		pid, ok := strings.CutPrefix(e.Name(), role+"-")
		if !ok || !e.IsDir() {
			continue
		}
		n, err := strconv.Atoi(pid)
		if err != nil || (n != self && alive(n)) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(base, e.Name())); err != nil {
			return "", removed, fmt.Errorf("tmpdir: remove a dead process's files: %w", err)
		}
		removed++
	}
	dir = filepath.Join(base, role+"-"+strconv.Itoa(self))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", removed, fmt.Errorf("tmpdir: %w", err)
	}
	return dir, removed, nil
}

// alive reports whether a process with this ID exists (signal 0 checks
// without sending; EPERM means it exists under another user).
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
