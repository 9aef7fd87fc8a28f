package main

import (
	"context"
	"log/slog"
	"os/signal"
	"syscall"
	"time"

	"indicia/app"
	"indicia/jobs/tasks"
)

func runWorker(args []string) error {
	fs := flags("worker", "Run the job consumers (address cleansing, change-of-address matching, notifications, settlement, reconciliation).")
	concurrency := fs.Int("concurrency", 4, "jobs run at once")
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
	// Partial: a kind whose service cannot start (no box, broken address
	// data) is logged and left out; the others keep running.
	a, err := app.New(ctx, cfg, app.Options{Partial: true})
	if err != nil {
		return err
	}
	defer a.Close()
	r := a.Jobs.NewRunner(*concurrency)
	tasks.Register(r, a.Tasks)
	if a.Metering != nil {
		// One submit_refunds job per day, claimed in PostgreSQL so several workers schedule it once.
		go tasks.ScheduleRefunds(ctx, a.Jobs, a.Metering, time.Hour)
	}
	if a.Payments != nil {
		// Reconciler, auto-refill sweep and daily settlement; safe on several workers.
		go tasks.RunPayments(ctx, a.Payments, time.Minute)
	}
	slog.Info("worker running", "queue", a.Jobs.Name(), "concurrency", *concurrency)
	return r.Run(ctx)
}
