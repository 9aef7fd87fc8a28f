package main

import (
	"context"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"indicia/config"
	"indicia/email"
	"indicia/hygiene/address"
	"indicia/hygiene/addressbook"
	"indicia/hygiene/coa"
	"indicia/jobs"
	"indicia/jobs/tasks"
	"indicia/metering"
	"indicia/payments"
)

// taskDeps builds what the worker's job handlers need.
func taskDeps(pool *pgxpool.Pool, rdb *redis.Client, q *jobs.Queue, cfg config.Config) tasks.Deps {
	_ = cfg
	d := tasks.Deps{Pool: pool, Redis: rdb, Queue: q}
	if c, err := address.New(); err == nil {
		d.Batches = addressbook.NewBatches(pool, c, q)
		opts := coa.Options{WindowMonths: cfg.COAWindowMonths, Queue: q, BaseURL: cfg.BaseURL}
		if s, err := email.NewSMTP(cfg.SMTPURL, cfg.MailFrom); err == nil {
			opts.Notify = email.Func(s)
		} else {
			slog.Error("worker: change-of-address emails disabled", "err", err)
		}
		if d.COA, err = coa.New(pool, c, opts); err != nil {
			slog.Error("worker: change-of-address service disabled", "err", err)
		}
	} else {
		// The embedded ZIP data is broken: run the other kinds, say so loudly.
		slog.Error("worker: address cleansing disabled", "err", err)
	}
	// Refund submission voids labels: that is a box operation.
	if bx, err := dialBox(context.Background(), cfg.BoxSocket); err == nil {
		d.Metering, d.RefundAfter = metering.New(pool, bx, metering.Options{VoidWindow: cfg.VoidWindow}), cfg.RefundAfter
		// Card funding shares serve's Stripe (or stand-in, at BASE_URL/_stripe-stub).
		st := payments.OpenStripe(cfg.StripeSecretKey, cfg.StripeWebhookSecret, cfg.StripeAPIURL, cfg.BaseURL, false)
		popt := payments.Options{FeePerPiece: payments.DefaultFeePerPiece, TestMode: st.TestMode}
		if s, err := email.NewSMTP(cfg.SMTPURL, cfg.MailFrom); err == nil {
			popt.Mailer = payments.EmailFunc(email.Func(s))
		}
		d.Payments = payments.New(pool, st.Stripe, d.Metering, popt)
	} else {
		slog.Error("worker: refund submission disabled", "err", err)
	}
	return d
}
