package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	_ "net/http/pprof"
	"os/signal"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/prometheus/client_golang/prometheus"

	"indicia/accounts"
	"indicia/config"
	"indicia/db"
	"indicia/email"
	"indicia/handlers"
	"indicia/hygiene/address"
	"indicia/hygiene/addressbook"
	"indicia/hygiene/coa"
	"indicia/jobs"
	"indicia/metering"
	"indicia/metering/rating"
	"indicia/payments"
	"indicia/web"
)

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

// apiKeyCacheTTL bounds how long serve trusts a cached API key should an
// invalidation message be lost; revocations normally reach it at once.
const apiKeyCacheTTL = 60 * time.Second

func runServe(args []string) error {
	fs := flags("serve", "Run the web server: pages and the JSON API on HTTP_ADDR. Holds no key material.")
	noMigrate := fs.Bool("no-migrate", false, "do not apply migrations at start-up; refuse to start if the schema is behind")
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
	if !*noMigrate {
		if _, err := db.Migrate(ctx, pool); err != nil {
			return err
		}
	}
	if err := db.CheckSchema(ctx, pool); err != nil {
		return err
	}
	boxc, err := dialBox(ctx, cfg.BoxSocket)
	if err != nil {
		return err
	}
	defer boxc.Close()
	reg := prometheus.NewRegistry()
	tampers := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "indicia_tamper_alerts_total",
		Help: "Tamper alerts raised by this process, by failed check (mac, freshness)."}, []string{"reason"})
	reg.MustRegister(tampers)
	batchMeters := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "indicia_dispense_batch_meters",
		Help: "Meters served by one cross-meter dispensing transaction (group commit).", Buckets: []float64{1, 2, 4, 8, 16, 32, 64}})
	reg.MustRegister(batchMeters)
	chainedGroups := prometheus.NewCounter(prometheus.CounterOpts{Name: "indicia_dispense_chained_groups_total",
		Help: "Groups of purchases on one meter served on the pipelined path (signed while the previous group committed)."})
	reg.MustRegister(chainedGroups)
	acc, err := accounts.New(pool, rdb, accounts.Options{
		RedisPrefix: cfg.RedisPrefix, SessionIdle: cfg.SessionIdle, SessionAbsolute: cfg.SessionAbsolute,
		LoginMaxFails: cfg.LoginMaxFails, LoginLockout: cfg.LoginLockout, Pepper: boxc, Signer: boxc,
		APIKeyCacheTTL: apiKeyCacheTTL,
	})
	if err != nil {
		return err
	}
	if apiKeyCacheTTL > 0 {
		// Revocations and user changes reach this process's API-key cache over
		// Redis; until subscribed, every key is looked up in PostgreSQL.
		go acc.WatchAPIKeyInvalidations(ctx)
	}
	q := jobs.NewQueue(pool, rdb, jobs.Options{Name: queueName(cfg.RedisPrefix)})
	defer q.Close()
	cleanser, err := address.New()
	if err != nil {
		return err
	}
	rater, err := loadRater(cfg)
	if err != nil {
		return err
	}
	met := metering.New(pool, boxc, metering.Options{OnTamper: func(_, reason string) { tampers.WithLabelValues(reason).Inc() }, VoidWindow: cfg.VoidWindow,
		Committers: cfg.Committers, OnBatch: func(meters, _ int) { batchMeters.Observe(float64(meters)) },
		NoPipeline: !cfg.Pipeline, OnChained: func(int) { chainedGroups.Inc() }})
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "indicia_tamper_alerts_open", Help: "Unresolved tamper alerts."},
		func() float64 { n, _ := met.OpenAlerts(context.Background()); return float64(n) }))
	coa, err := coa.New(pool, cleanser, coa.Options{WindowMonths: cfg.COAWindowMonths, Queue: q, BaseURL: cfg.BaseURL})
	if err != nil {
		return err
	}
	// Card funding: without STRIPE_SECRET_KEY, the Stripe stand-in is served under /_stripe-stub.
	stripeSetup := payments.OpenStripe(cfg.StripeSecretKey, cfg.StripeWebhookSecret, cfg.StripeAPIURL, cfg.BaseURL, true)
	payOpt := payments.Options{FeePerPiece: payments.DefaultFeePerPiece, TestMode: stripeSetup.TestMode, PublishableKey: cfg.StripePublishableKey,
		FundingCacheTTL: 2 * time.Second}
	if s, err := email.NewSMTP(cfg.SMTPURL, cfg.MailFrom); err == nil {
		payOpt.Mailer = payments.EmailFunc(email.Func(s))
	}
	pay := payments.New(pool, stripeSetup.Stripe, met, payOpt)
	if stripeSetup.TestMode {
		slog.Warn("card payments in TEST MODE: no real card is charged", "stand_in", stripeSetup.Stub != nil)
	}
	h := handlers.New(handlers.Deps{
		Payments: pay, StripeStub: stripeSetup.Stub, TestMode: stripeSetup.TestMode,
		Metering: met, Rater: rater, RootCert: func(ctx context.Context) ([]byte, error) {
			k, err := boxc.Certificates(ctx)
			return k.RootCertPEM, err
		},
		Accounts: acc, Jobs: q, BaseURL: cfg.BaseURL, SecureCookie: cfg.Secure(),
		Hygiene: cleanser, Addresses: addressbook.New(pool, cleanser), Batches: addressbook.NewBatches(pool, cleanser, q),
		COA: coa, UploadDir: cfg.VarDir + "/uploads",
		Checks: []handlers.Check{
			{Name: "postgres", Fn: pool.Ping},
			{Name: "redis", Fn: func(ctx context.Context) error { return rdb.Ping(ctx).Err() }},
			{Name: "box", Fn: boxc.Ping},
		},
	})
	srv := web.New(web.Options{Handler: h, Secure: cfg.Secure(), TrustProxy: cfg.TrustProxy, Registry: reg})
	if cfg.PprofAddr != "" {
		// Profiling for load tests, on its own (loopback) listener, never on the public one.
		go func() { slog.Warn("pprof", "err", http.ListenAndServe(cfg.PprofAddr, nil)) }()
	}
	errc := make(chan error, 1)
	go func() {
		slog.Info("serving", "addr", cfg.HTTPAddr, "base_url", cfg.BaseURL)
		errc <- srv.App.Listen(cfg.HTTPAddr, fiber.ListenConfig{DisableStartupMessage: true})
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("listen %s: %w", cfg.HTTPAddr, err)
	case <-ctx.Done():
	}
	slog.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.App.ShutdownWithContext(sctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
