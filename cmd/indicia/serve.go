package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v3"

	"indicia/app"
	"indicia/internal/tmpdir"
)

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
	guardKeyMaterial("serve")
	// A private TMPDIR (multipart uploads and excelize spill there): the one a
	// killed serve left behind is removed when the next one starts.
	dir, removed, err := tmpdir.Claim(filepath.Join(cfg.VarDir, "tmp"), "serve")
	if err != nil {
		return err
	}
	if removed > 0 {
		slog.Info("removed temporary files of stopped servers", "directories", removed)
	}
	os.Setenv("TMPDIR", dir)
	defer os.RemoveAll(dir)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	a, err := app.New(ctx, cfg, app.Options{Migrate: !*noMigrate})
	if err != nil {
		return err
	}
	defer a.Close()
	if a.Stripe.TestMode {
		slog.Warn("card payments in TEST MODE: no real card is charged", "stand_in", a.Stripe.StandIn)
	}
	stopStandIn, err := a.Stripe.ServeStandIn()
	if err != nil {
		return err
	}
	defer stopStandIn()
	if cfg.PprofAddr != "" {
		// Profiling for load tests, on its own (loopback) listener, never on the public one.
		go func() { slog.Warn("pprof", "err", http.ListenAndServe(cfg.PprofAddr, nil)) }()
	}
	errc := make(chan error, 1)
	go func() {
		slog.Info("serving", "addr", cfg.HTTPAddr, "base_url", cfg.BaseURL)
		errc <- a.Web.App.Listen(cfg.HTTPAddr, fiber.ListenConfig{DisableStartupMessage: true})
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("listen %s: %w", cfg.HTTPAddr, err)
	case <-ctx.Done():
	}
	slog.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Web.App.ShutdownWithContext(sctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
