package main

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"indicia/db/dbtest"
	"indicia/metering/meteringtest"
)

// make run keeps the product up when a process dies: scripts/run.sh starts
// a killed serve again while box and worker keep running, and Ctrl-C still
// stops every process it started. It runs on a copy of the scripts with
// its own var/, a fresh database and a free port.
func TestRunScriptRestartsAKilledServe(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the whole product")
	}
	repo, err := filepath.Abs("../..")
	must(t, err)
	_, prefix := dbtest.Redis(t)
	dir := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(dir, "scripts"), 0o755))
	must(t, os.MkdirAll(filepath.Join(dir, "bin"), 0o755))
	for _, f := range []string{"run.sh", "services.sh", "supervise.sh"} {
		copyFile(t, filepath.Join(repo, "scripts", f), filepath.Join(dir, "scripts", f), 0o755)
	}
	copyFile(t, meteringtest.Binary(t), filepath.Join(dir, "bin", "indicia"), 0o755)
	addr := freeAddr(t)
	base := "http://" + addr

	cmd := exec.Command("bash", filepath.Join(dir, "scripts", "run.sh"))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbtest.NewURL(t), "REDIS_URL="+redisURL(), "REDIS_PREFIX="+prefix,
		"HTTP_ADDR="+addr, "BASE_URL="+base, "SMTP_URL=smtp://127.0.0.1:1", "LOG_LEVEL=warn",
		"BOX_SOCKET="+filepath.Join(dir, "var", "box", "box.sock"))
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	must(t, cmd.Start())
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		select {
		case <-exited:
		default:
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // only this test's process group
			<-exited
		}
	})

	pidFile := func(name string) int {
		b, err := os.ReadFile(filepath.Join(dir, "var", "run", "indicia-"+name+".pid"))
		if err != nil {
			return 0
		}
		pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		return pid
	}
	healthy := func() bool {
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(120 * time.Second)
		for !ok() {
			select {
			case <-exited:
				t.Fatalf("run.sh ended while waiting for %s:\n%s", what, out.String())
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %s after 2 minutes:\n%s", what, out.String())
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	waitFor("healthy serve", healthy)
	serve, box, worker := pidFile("serve"), pidFile("box"), pidFile("worker")
	if serve == 0 || box == 0 || worker == 0 {
		t.Fatalf("pid files: serve %d, box %d, worker %d", serve, box, worker)
	}

	must(t, syscall.Kill(serve, syscall.SIGKILL))
	waitFor("restarted serve", func() bool { p := pidFile("serve"); return p != 0 && p != serve && healthy() })
	if !strings.Contains(out.String(), "run.sh: serve exited with status 137; starting it again in 1s") {
		t.Errorf("run.sh did not say it restarted serve:\n%s", out.String())
	}
	for name, pid := range map[string]int{"box": box, "worker": worker} {
		if syscall.Kill(pid, 0) != nil || pidFile(name) != pid {
			t.Errorf("%s (pid %d) did not keep running when serve died", name, pid)
		}
	}

	// Ctrl-C: everything stops, nothing is restarted.
	running := []int{pidFile("serve"), box, worker}
	must(t, cmd.Process.Signal(syscall.SIGINT))
	select {
	case <-exited:
	case <-time.After(60 * time.Second):
		t.Fatalf("run.sh did not stop on SIGINT:\n%s", out.String())
	}
	for _, pid := range running {
		if syscall.Kill(pid, 0) == nil {
			t.Errorf("pid %d still runs after Ctrl-C", pid)
		}
	}
	if strings.Count(out.String(), "starting it again") != 1 {
		t.Errorf("a process was restarted while stopping:\n%s", out.String())
	}
}
