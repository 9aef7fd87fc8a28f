package app

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/config"
	"indicia/email"
	"indicia/hygiene/address"
	"indicia/hygiene/addressbook"
	"indicia/hygiene/coa"
	"indicia/jobs"
	"indicia/jobs/tasks"
	"indicia/metering"
	"indicia/metering/rating"
	"indicia/payments"
	"indicia/postage"
	"indicia/presets"
	"indicia/reports"
)

// sendFunc sends one notification email.
type sendFunc = func(ctx context.Context, to, subject, body string) error

// buildServices builds the domain services in dependency order.
func (a *App) buildServices(ctx context.Context, opts Options) error {
	// Before anything listens: a live key without a webhook secret would take
	// forged events.
	if err := payments.CheckKeys(a.Config.StripeSecretKey, a.Config.StripeWebhookSecret); err != nil {
		return err
	}
	a.buildQueue(opts)
	mail := a.mailer()
	// Hygiene first: the public sign-up standardizes its address.
	if err := a.buildHygiene(opts, mail); err != nil {
		return err
	}
	if err := a.buildAccounts(ctx); err != nil {
		return err
	}
	// Reports only read the database: they work without the box.
	a.Reports = reports.New(a.Pool).ReadFrom(a.ReadPool)
	a.Presets = presets.New(a.Pool)
	rater, err := loadRater(a.Config)
	if err != nil {
		return err
	}
	a.Rater = rater
	if a.Box == nil {
		return nil
	}
	a.buildMetering()
	if err := a.buildPayments(mail); err != nil {
		return err
	}
	a.buildPostage()
	return nil
}

// buildPostage builds the one service pages and the API buy through.
func (a *App) buildPostage() {
	d := postage.Deps{Meters: a.Metering, Funding: a.Payments, Buyer: a.Payments,
		Cleanser: a.Cleanser, Moves: a.COA, Rater: a.Rater, CostCodes: a.Accounts}
	if a.ReturnAddresses != nil {
		d.ShipFrom, d.Defaults = a.ReturnAddresses, a.ReturnAddresses
	}
	a.Postage = postage.New(d)
}

// buildAccounts builds accounts with the API-key cache, and starts the
// watcher that clears it when another process revokes a key.
func (a *App) buildAccounts(ctx context.Context) error {
	cfg := a.Config
	o := accounts.Options{
		RedisPrefix: cfg.RedisPrefix, SessionIdle: cfg.SessionIdle, SessionAbsolute: cfg.SessionAbsolute,
		LoginMaxFails: cfg.LoginMaxFails, LoginLockout: cfg.LoginLockout,
		SignUpsPerHour: cfg.SignUpsPerHour,
		APIKeyCacheTTL: apiKeyCacheTTL,
		OnChainBreak:   newLoginChainMetrics(a.Registry),
		BaseURL:        cfg.BaseURL,
	}
	if m := a.mailer(); m != nil {
		o.Mail = accounts.Mailer(m)
		o.LinkMail = accounts.Mailer(email.Once(a.MailSender))
		o.LinkRetry = func(ctx context.Context, j accounts.LinkJob) error {
			_, err := a.Jobs.Submit(ctx, jobs.New{Kind: accounts.JobKindLinkEmail, Payload: j})
			return err
		}
	}
	if a.Box != nil {
		o.Pepper, o.Signer = a.Box, a.Box
	}
	if a.Cleanser != nil {
		o.Addresses = signUpAddresses{a.Cleanser}
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
// mailer sends at once and queues a retry when the SMTP server fails
// (email.Retrying); the worker's email_send jobs use a.MailSender.
func (a *App) mailer() sendFunc {
	if a.MailSender == nil {
		s, err := email.NewSMTP(a.Config.SMTPURL, a.Config.MailFrom)
		if err != nil {
			logDisabled("notification emails", err)
			return nil
		}
		a.MailSender = s
	}
	return email.Retrying(a.MailSender, a.Jobs)
}

// linkMailer sends emails that carry a credential (invitations, one-time
// links) with one attempt, never through a stored job; nil without SMTP.
func (a *App) linkMailer() sendFunc {
	if a.mailer() == nil {
		return nil
	}
	return email.Once(a.MailSender)
}

// buildHygiene builds the cleanser, the address book, batch cleansing and
// change of address.
func (a *App) buildHygiene(opts Options, mail sendFunc) error {
	var copts []address.Option
	if path := a.Config.AddressReference; path != "" {
		ref, err := address.LoadReferenceFile(path)
		if err != nil {
			return fmt.Errorf("ADDRESS_REFERENCE: %w", err)
		}
		slog.Info("address reference loaded", "file", path, "rows", ref.Len())
		copts = append(copts, address.WithReference(ref))
	}
	c, err := address.New(copts...)
	if err != nil {
		return partial(opts, "address cleansing", err)
	}
	a.Cleanser = c
	a.ReturnAddresses = accounts.NewReturnAddresses(a.Pool, c)
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
		Zone: a.Rater.Zone, FarZone: cfg.FraudFarZone,
		StageAlert: a.adminAlertStager(),
		OnTamper:   m.tamper, OnBatch: m.batch, OnChained: m.chained,
		ReadPool: a.ReadPool,
	})
	registerOpenAlerts(a.Registry, a.Metering)
}

// buildPayments builds card funding: Stripe, or without STRIPE_SECRET_KEY
// the stand-in on its loopback address (serve starts it there).
func (a *App) buildPayments(mail sendFunc) error {
	cfg := a.Config
	st, err := payments.OpenStripe(payments.OpenConfig{SecretKey: cfg.StripeSecretKey, WebhookSecret: cfg.StripeWebhookSecret,
		APIURL: cfg.StripeAPIURL, BaseURL: cfg.BaseURL, VarDir: cfg.VarDir, StubAddr: cfg.StripeStubAddr})
	if err != nil {
		return err
	}
	a.Stripe = st
	o := payments.Options{FeePerPiece: payments.DefaultFeePerPiece, TestMode: a.Stripe.TestMode,
		PublishableKey: cfg.StripePublishableKey, FundingCacheTTL: fundingCacheTTL}
	if mail != nil {
		o.Mailer = payments.EmailFunc(mail)
	}
	a.Payments = payments.New(a.Pool, a.Stripe.Stripe, a.Metering, o)
	return nil
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

// adminAlertStager stages emails to the vendor admins (nil without a queue).
func (a *App) adminAlertStager() func(ctx context.Context, tx pgx.Tx, subject, body string) (func(context.Context), error) {
	if a.Jobs == nil {
		return nil
	}
	return tasks.AdminAlertStager(a.Jobs)
}
