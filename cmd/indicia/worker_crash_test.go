package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"indicia/accounts"
	"indicia/app"
	"indicia/config"
	"indicia/db"
	"indicia/db/dbtest"
	"indicia/hygiene/coa"
	"indicia/jobs"
	"indicia/metering/meteringtest"
)

// A real `indicia worker` whose jobs process is killed (SIGKILL, as the
// kernel's OOM killer does) mid-job: the supervisor starts a new jobs
// process, the scheduled-work process is untouched, and the job that took
// the worker down is dead after JOB_MAX_CRASHES (1 here) with the reason,
// instead of coming back for ever.
func TestWorkerProcessKilledMidJobBuriesTheJobAndKeepsScheduledWork(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the indicia binary")
	}
	bin := meteringtest.Binary(t)
	bx := meteringtest.Start(t)
	dbURL := dbtest.NewURL(t)
	ctx := context.Background()
	pool, err := db.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	rdb, prefix := dbtest.Redis(t)
	varDir := t.TempDir()
	env := map[string]string{"DATABASE_URL": dbURL, "REDIS_URL": os.Getenv("REDIS_URL"), "REDIS_PREFIX": prefix, "BOX_SOCKET": bx.Socket,
		"INDICIA_VAR": varDir, "JOB_MAX_CRASHES": "1", "LOG_LEVEL": "warn", "LOG_FORMAT": "text", "SMTP_URL": "smtp://127.0.0.1:1"}
	if env["REDIS_URL"] == "" {
		env["REDIS_URL"] = "redis://127.0.0.1:6379/0"
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(ctx, cfg, app.Options{Pool: pool, Redis: rdb, Box: bx.Client})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { asynq.NewInspectorFromRedisClient(rdb).DeleteQueue(a.Jobs.Name(), true); a.Close() })
	staff, err := a.Accounts.CreateUser(ctx, accounts.System, accounts.CreateInput{Email: "staff@example.com", Name: "Sam Staff",
		Role: "postal_staff", Password: "staff password 1"})
	if err != nil {
		t.Fatal(err)
	}

	// A list big enough that its import is still running when the process is killed.
	path := filepath.Join(t.TempDir(), "coa.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, strings.Join(coa.COAColumns, ","))
	for i := range 400_000 {
		fmt.Fprintf(w, "I,ANN,,LEE%d,,%d MAIN ST,,STAMFORD,CT,06901,%d ELM ST,,STAMFORD,CT,06902,2026-03,,\n", i, i%9000+1, i%7000+1)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	src, _ := os.Open(path)
	stored, err := coa.SaveUpload(filepath.Join(varDir, "uploads"), src)
	src.Close()
	if err != nil {
		t.Fatal(err)
	}
	_, jobID, err := a.COA.CreateList(ctx, staff, coa.COAListInput{Source: "USPS weekly", Filename: "coa.csv", Path: stored})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Jobs.Enqueue(ctx, jobID); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(bin, "worker")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Env = append(cmd.Env, "PATH="+os.Getenv("PATH"))
	out, _ := os.Create(filepath.Join(t.TempDir(), "worker.log"))
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(out.Name())
			t.Logf("worker output:\n%s", b)
		}
	})

	status := func() jobs.Job {
		j, err := a.Jobs.Get(ctx, accounts.System, jobID)
		if err != nil {
			t.Fatal(err)
		}
		return j
	}
	waitFor := func(what string, limit time.Duration, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(limit)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("waited %s for %s (job: %+v)", limit, what, status())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitFor("the import to run", 60*time.Second, func() bool { return status().Status == jobs.StatusRunning })
	kids := children(t, cmd.Process.Pid)
	jobsPid, schedPid := kids["jobs"], kids["scheduled"]
	if jobsPid == 0 || schedPid == 0 {
		t.Fatalf("worker children %v", kids)
	}
	if err := syscall.Kill(jobsPid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// The supervisor starts a new jobs process; the scheduled one lives on.
	waitFor("a new jobs process", 30*time.Second, func() bool {
		k := children(t, cmd.Process.Pid)
		return k["jobs"] != 0 && k["jobs"] != jobsPid
	})
	// asynq hands the task out again once the dead process's lease runs out.
	waitFor("the job to be dead", 150*time.Second, func() bool { return status().Status == jobs.StatusDead })
	j := status()
	if j.Crashes != 1 || j.LastError != "crashed 1 time (last: the worker stopped while running it)" {
		t.Errorf("dead job: crashes %d, reason %q", j.Crashes, j.LastError)
	}
	if k := children(t, cmd.Process.Pid); k["scheduled"] != schedPid {
		t.Errorf("the scheduled-work process changed from %d to %d while jobs crashed", schedPid, k["scheduled"])
	}
	// The import is buried. So is any other job the killed process was
	// running at that moment (the daily refund submission the scheduled
	// process queues at its start may be one), and nothing else.
	dead, err := a.Jobs.Dead(ctx, accounts.User{Role: accounts.RoleAdmin}, 10)
	if err != nil {
		t.Fatal(err)
	}
	buried := false
	for _, d := range dead {
		buried = buried || d.ID == jobID
		if d.Crashes != 1 || d.LastError != "crashed 1 time (last: the worker stopped while running it)" {
			t.Errorf("dead letter %d (%s) did not die in the killed process: crashes %d, reason %q", d.ID, d.Kind, d.Crashes, d.LastError)
		}
	}
	if !buried {
		t.Errorf("the killed import is not among the dead letters %v", dead)
	}
}

// children maps the worker roles of a supervisor's child processes to their PIDs.
func children(t *testing.T, pid int) map[string]int {
	t.Helper()
	out := map[string]int{}
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, f := range tasks {
		b, _ := os.ReadFile(f)
		for _, s := range strings.Fields(string(b)) {
			cpid, _ := strconv.Atoi(s)
			cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", cpid))
			args := strings.Split(string(cmdline), "\x00")
			for i, a := range args {
				if a == "-role" && i+1 < len(args) {
					out[args[i+1]] = cpid
				}
			}
		}
	}
	return out
}
