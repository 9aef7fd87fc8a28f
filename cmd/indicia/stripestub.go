package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"indicia/payments"
	"indicia/payments/stripestub"
)

// runStripeStub serves the Stripe stand-in on its own port, for serve and
// worker to share through STRIPE_API_URL (make run without a Stripe key).
func runStripeStub(args []string) error {
	fs := flags("stripe-stub", "Serve the Stripe stand-in (test mode only) that serve and worker share via STRIPE_API_URL.")
	addr := fs.String("addr", "127.0.0.1:12113", "listen address (keep it on loopback)")
	if done, err := parse(fs, args); done {
		return err
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	if cfg.StripeSecretKey != "" && !strings.HasPrefix(cfg.StripeSecretKey, "sk_test_") {
		return errors.New("stripe-stub: STRIPE_SECRET_KEY is a live key; the stand-in is for test mode only")
	}
	secret := cfg.StripeWebhookSecret
	if secret == "" {
		secret = payments.StubWebhookSecret
	}
	stub := stripestub.New(stripestub.Options{WebhookURL: strings.TrimRight(cfg.BaseURL, "/") + "/stripe/webhook", WebhookSecret: secret})
	srv := &http.Server{Addr: *addr, Handler: stub, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() {
		slog.Info("stripe stand-in serving", "addr", *addr, "webhooks_to", cfg.BaseURL+"/stripe/webhook")
		errc <- srv.ListenAndServe()
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("stripe-stub: listen %s: %w", *addr, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}
