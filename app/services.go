package app

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"indicia/accounts"
	"indicia/config"
	"indicia/email"
	"indicia/hygiene/address"
	"indicia/hygiene/addressbook"
	"indicia/hygiene/coa"
	"indicia/jobs"
	"indicia/metering"
	"indicia/metering/rating"
	"indicia/payments"
	"indicia/postage"
)

// sendFunc sends one notification email.
type sendFunc = func(ctx context.Context, to, subject, body string) error

// buildServices builds the domain services in dependency order.
func (a *App) buildServices(ctx context.Context, opts Options) error {
	if err := a.buildAccounts(ctx); err != nil {
		return err
	}
	a.buildQueue(opts)
	mail := a.mailer()
	if err := a.buildHygiene(opts, mail); err != nil {
		return err
	}
	rater, err := loadRater(a.Config)
	if err != nil {
		return err
	}
	a.Rater = rater
	if a.Box == nil {
		return nil
	}
	a.buildMetering()
	a.buildPayments(mail)
	a.buildPostage()
	return nil
}

// buildPostage builds the one service pages and the API buy through.
func (a *App) buildPostage() {
	a.Postage = postage.New(postage.Deps{Meters: a.Metering, Funding: a.Payments, Buyer: a.Payments,
		Cleanser: a.Cleanser, Moves: a.COA, Rater: a.Rater})
}

// buildAccounts builds accounts with the API-key cache, and starts the
// watcher that clears it when another process revokes a key.
func (a *App) buildAccounts(ctx context.Context) error {
	cfg := a.Config
	o := accounts.Options{
		RedisPrefix: cfg.RedisPrefix, SessionIdle: cfg.SessionIdle, SessionAbsolute: cfg.SessionAbsolute,
		LoginMaxFails: cfg.LoginMaxFails, LoginLockout: cfg.LoginLockout,
		APIKeyCacheTTL: apiKeyCacheTTL,
		OnChainBreak:   newLoginChainMetrics(a.Registry),
	}
	if a.Box != nil {
		o.Pepper, o.Signer = a.Box, a.Box
	}
	acc, err := accounts.New(a.Pool, a.Redis, o)
	if err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	a.Accounts = acc
	registerOpenChainAlerts(a.Registry, acc)
	// Until subscribed, every API key is looked up in PostgreSQL.
	wctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); acc.WatchAPIKeyInvalidations(wctx) }()
	a.onClose(func() { stop(); <-done })
	return nil
}

func (a *App) buildQueue(opts Options) {
	qo := opts.Queue
	if qo.Name == "" {
		qo.Name = QueueName(a.Config.RedisPrefix)
	}
	if qo.MaxCrashes == 0 {
		qo.MaxCrashes = a.Config.JobMaxCrashes
	}
	a.Jobs = jobs.NewQueue(a.Pool, a.Redis, qo)
	a.onClose(func() { a.Jobs.Close() })
}

// QueueName derives the asynq queue from the Redis prefix so two deployments
// sharing a Redis do not take each other's jobs.
func QueueName(prefix string) string {
	if n := strings.ReplaceAll(prefix, ":", ""); n != "" {
		return n
	}
	return "indicia"
}

// mailer is the SMTP sender of notification emails, nil (log only) when
// SMTP_URL cannot be used.
func (a *App) mailer() sendFunc {
	s, err := email.NewSMTP(a.Config.SMTPURL, a.Config.MailFrom)
	if err != nil {
		logDisabled("notification emails", err)
		return nil
	}
	return email.Func(s)
}

// buildHygiene builds the cleanser, the address book, batch cleansing and
// change of address.
func (a *App) buildHygiene(opts Options, mail sendFunc) error {
	c, err := address.New()
	if err != nil {
		return partial(opts, "address cleansing", err)
	}
	a.Cleanser = c
	a.Addresses = addressbook.New(a.Pool, c)
	a.Batches = addressbook.NewBatches(a.Pool, c, a.Jobs)
	coa, err := coa.New(a.Pool, c, coa.Options{
		WindowMonths: a.Config.COAWindowMonths, Queue: a.Jobs, BaseURL: a.Config.BaseURL, Notify: mail})
	if err != nil {
		return partial(opts, "change of address", err)
	}
	a.COA = coa
	return nil
}

// buildMetering builds the metering service with its metrics.
func (a *App) buildMetering() {
	cfg := a.Config
	m := newMeteringMetrics(a.Registry)
	a.Metering = metering.New(a.Pool, a.Box, metering.Options{
		VoidWindow: cfg.VoidWindow, MailerID: cfg.MailerID, Committers: cfg.Committers, NoPipeline: !cfg.Pipeline,
		OnTamper: m.tamper, OnBatch: m.batch, OnChained: m.chained,
	})
	registerOpenAlerts(a.Registry, a.Metering)
}

// buildPayments builds card funding: Stripe, or without STRIPE_SECRET_KEY
// the stand-in (served under /_stripe-stub by serve, reached there by the
// worker through BASE_URL).
func (a *App) buildPayments(mail sendFunc) {
	cfg := a.Config
	a.Stripe = payments.OpenStripe(cfg.StripeSecretKey, cfg.StripeWebhookSecret, cfg.StripeAPIURL, cfg.BaseURL, true)
	o := payments.Options{FeePerPiece: payments.DefaultFeePerPiece, TestMode: a.Stripe.TestMode,
		PublishableKey: cfg.StripePublishableKey, FundingCacheTTL: fundingCacheTTL}
	if mail != nil {
		o.Mailer = payments.EmailFunc(mail)
	}
	a.Payments = payments.New(a.Pool, a.Stripe.Stripe, a.Metering, o)
}

// loadRater loads the embedded rate tables, refusing any whose signature does
// not verify with RATE_TABLE_PUBKEY (or the development key when unset).
func loadRater(cfg config.Config) (*rating.Rater, error) {
	pub, dev, err := rating.PublicKeyFromEnv(func(string) string { return cfg.RateTablePubKey })
	if err != nil {
		return nil, fmt.Errorf("RATE_TABLE_PUBKEY: %w", err)
	}
	if dev {
		slog.Warn("rate tables are verified with the embedded development key; set RATE_TABLE_PUBKEY in production")
	}
	r, err := rating.LoadEmbedded(pub)
	if err != nil {
		return nil, fmt.Errorf("load rate tables: %w", err)
	}
	slog.Info("rate tables loaded", "versions", r.Versions())
	return r, nil
}

func logDisabled(what string, err error) {
	slog.Error(what+" disabled", "err", err)
}
