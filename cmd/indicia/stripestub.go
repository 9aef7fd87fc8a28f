package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os/signal"
	"syscall"
	"time"

	"indicia/payments"
)

// runStripeStub serves the Stripe stand-in in its own process on loopback
// (make run without a Stripe key); serve and worker find it at STRIPE_STUB_ADDR.
func runStripeStub(args []string) error {
	fs := flags("stripe-stub", "Serve the Stripe stand-in (test mode only) on loopback for serve and worker (STRIPE_STUB_ADDR).")
	addr := fs.String("addr", "", "listen address, loopback only (default STRIPE_STUB_ADDR)")
	if done, err := parse(fs, args); done {
		return err
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	if cfg.StripeSecretKey != "" {
		return errors.New("stripe-stub: STRIPE_SECRET_KEY is set; the stand-in runs only in test mode without a key")
	}
	if *addr != "" {
		cfg.StripeStubAddr = *addr
	}
	st, err := payments.OpenStripe(payments.OpenConfig{WebhookSecret: cfg.StripeWebhookSecret, BaseURL: cfg.BaseURL,
		VarDir: cfg.VarDir, StubAddr: cfg.StripeStubAddr})
	if err != nil {
		return err
	}
	stub, err := payments.OpenStandIn(cfg.VarDir, cfg.BaseURL, st.WebhookSecret)
	if err != nil {
		return err
	}
	defer stub.Close()
	srv := &http.Server{Addr: st.StubAddr, Handler: stub, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() {
		slog.Info("stripe stand-in serving", "addr", st.StubAddr, "webhooks_to", cfg.BaseURL+"/stripe/webhook")
		errc <- srv.ListenAndServe()
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("stripe-stub: listen %s: %w", st.StubAddr, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}
