package tmpdir

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

func TestClaimRemovesOnlyDeadProcessesDirectories(t *testing.T) {
	base := t.TempDir()
	// A process that has exited: its PID is free.
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dead := filepath.Join(base, "worker-"+strconv.Itoa(cmd.Process.Pid))
	alive := filepath.Join(base, "worker-1") // init never dies
	other := filepath.Join(base, "serve-"+strconv.Itoa(cmd.Process.Pid))
	for _, d := range []string{dead, alive, other} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "excelize-123"), []byte("spilled sheet"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	dir, removed, err := Claim(base, "worker")
	if err != nil {
		t.Fatal(err)
	}
	if removed != 1 {
		t.Errorf("removed %d directories, want 1", removed)
	}
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Errorf("a dead worker's files survived: %v", err)
	}
	for _, d := range []string{alive, other, dir} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s: %v", d, err)
		}
	}
	if dir != filepath.Join(base, "worker-"+strconv.Itoa(os.Getpid())) {
		t.Errorf("claimed %s", dir)
	}
}
