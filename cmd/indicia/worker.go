package main

import (
	"context"
	"log/slog"
	"os/signal"
	"syscall"
	"time"

	"indicia/db"
	"indicia/jobs"
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
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	pool, rdb, err := openStores(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	defer rdb.Close()
	if err := db.CheckSchema(ctx, pool); err != nil {
		return err
	}
	q := jobs.NewQueue(pool, rdb, jobs.Options{Name: queueName(cfg.RedisPrefix)})
	defer q.Close()
	r := q.NewRunner(*concurrency)
	d := taskDeps(pool, rdb, q, cfg)
	tasks.Register(r, d)
	if d.Metering != nil {
		// One submit_refunds job per day, claimed in PostgreSQL so several workers schedule it once.
		go tasks.ScheduleRefunds(ctx, q, d.Metering, time.Hour)
	}
	if d.Payments != nil {
		// Reconciler, auto-refill sweep and daily settlement; safe on several workers.
		go tasks.RunPayments(ctx, d.Payments, time.Minute)
	}
	slog.Info("worker running", "queue", queueName(cfg.RedisPrefix), "concurrency", *concurrency)
	return r.Run(ctx)
}

// queueName derives the asynq queue from the Redis prefix so two deployments
// sharing a Redis do not take each other's jobs.
func queueName(prefix string) string {
	out := []rune{}
	for _, r := range prefix {
		if r == ':' {
			continue
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return "indicia"
	}
	return string(out)
}
