package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"

	"indicia/app"
	"indicia/internal/tmpdir"
	"indicia/jobs"
	"indicia/jobs/tasks"
)

// Worker roles: by default the worker supervises two child processes, one
// running the job queue and one the scheduled work, so a job that crashes its
// process (out of memory, a runtime fault) does not stop the reconciler,
// auto-refill, refunds or settlement.
const (
	roleSupervise = "supervise"
	roleJobs      = "jobs"
	roleScheduled = "scheduled"
	roleAll       = "all"
)

func runWorker(args []string) error {
	fs := flags("worker", "Run the job consumers (address cleansing, change-of-address matching, notifications, refunds) and the scheduled work (payments reconciler, auto-refill, settlement).")
	concurrency := fs.Int("concurrency", 4, "jobs run at once")
	role := fs.String("role", roleSupervise, "supervise: run and restart a jobs and a scheduled child process; jobs: the job queue only; scheduled: the scheduled work only; all: both in this process")
	if done, err := parse(fs, args); done {
		return err
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	guardKeyMaterial("worker")
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	switch *role {
	case roleSupervise:
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("worker: own executable: %w", err)
		}
		slog.Info("worker supervising", "children", []string{roleJobs, roleScheduled})
		superviseChildren(ctx, []child{
			{Name: roleJobs, Path: exe, Args: []string{"worker", "-role", roleJobs, "-concurrency", strconv.Itoa(*concurrency)}},
			{Name: roleScheduled, Path: exe, Args: []string{"worker", "-role", roleScheduled}},
		})
		return nil
	case roleJobs, roleScheduled, roleAll:
	default:
		return fmt.Errorf("worker: -role %q: use %s, %s, %s or %s", *role, roleSupervise, roleJobs, roleScheduled, roleAll)
	}
	// Partial: a kind whose service cannot start (no box, broken address
	// data) is logged and left out; the others keep running.
	a, err := app.New(ctx, cfg, app.Options{Partial: true})
	if err != nil {
		return err
	}
	defer a.Close()
	if *role == roleScheduled {
		slog.Info("worker running scheduled work", "queue", a.Jobs.Name())
		jobs.RunScheduled(ctx, tasks.Scheduled(a.Tasks))
		return nil
	}
	r := a.Jobs.NewRunner(*concurrency)
	tasks.Register(r, a.Tasks)
	// A private TMPDIR, so what a job spills (excelize's worksheets) is removed
	// after it and, when the process died mid-job, at the next start.
	dir, removed, err := tmpdir.Claim(filepath.Join(cfg.VarDir, "tmp"), "worker")
	if err != nil {
		return err
	}
	if removed > 0 {
		slog.Info("worker removed temporary files of dead workers", "directories", removed)
	}
	os.Setenv("TMPDIR", dir)
	defer os.RemoveAll(dir)
	r.SetTempDir(dir)
	if *role == roleAll {
		go jobs.RunScheduled(ctx, tasks.Scheduled(a.Tasks))
	}
	slog.Info("worker running jobs", "queue", a.Jobs.Name(), "concurrency", *concurrency, "role", *role)
	return r.Run(ctx)
}
