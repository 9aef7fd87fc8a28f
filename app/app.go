// Package app builds the application once, from the configuration, for every
// process and for the tests: serve, worker, the operator tools and
// web/webtest all call New, so a setting means the same thing everywhere and
// tests run the wiring production runs.
package app

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"indicia/accounts"
	"indicia/config"
	"indicia/email"
	"indicia/handlers"
	"indicia/hygiene/address"
	"indicia/hygiene/addressbook"
	"indicia/hygiene/coa"
	"indicia/jobs"
	"indicia/jobs/tasks"
	"indicia/metering"
	"indicia/metering/box"
	"indicia/metering/rating"
	"indicia/payments"
	"indicia/postage"
	"indicia/presets"
	"indicia/reports"
	"indicia/web"
)

// Options are what differs between the processes (and the tests) beyond the
// configuration. The zero value builds everything, opening what it needs.
type Options struct {
	// Pool, Redis and Box are used instead of opening them from the
	// configuration (tests pass their own); New does not close them.
	Pool  *pgxpool.Pool
	Redis *redis.Client
	Box   *box.Client
	// BoxWait is how long New waits for the box to answer (0: 20 s, for
	// `make run`, which starts the box and serve together).
	BoxWait time.Duration
	// Migrate applies pending migrations before the schema is checked.
	Migrate bool
	// DatabaseOnly stops once the pool is open (and migrated): no Redis, box
	// or services.
	DatabaseOnly bool
	// Partial builds without the services that cannot start (the box does
	// not answer, the embedded address data is broken) instead of failing,
	// and logs it: the worker keeps running the job kinds that can run.
	Partial bool
	// Queue tunes the job queue; an empty Name is derived from REDIS_PREFIX.
	Queue jobs.Options
	// Registry receives the application's metrics (a new one when nil).
	Registry *prometheus.Registry
}

// App is the built application. A service that could not start under
// Options.Partial is nil.
type App struct {
	Config config.Config
	Pool   *pgxpool.Pool
	// ReadPool is the standby (DATABASE_REPLICA_URL) for read-heavy pages,
	// or Pool itself.
	ReadPool *pgxpool.Pool
	Redis    *redis.Client
	Box      *box.Client
	Registry *prometheus.Registry
	// Migrated is how many migrations New applied (Options.Migrate).
	Migrated int

	Accounts *accounts.Service
	Jobs     *jobs.Queue
	// MailSender is the SMTP sender; notification emails go through
	// email.Retrying over it, and the worker retries failed ones with it.
	MailSender email.Sender
	Cleanser   *address.Cleanser
	Addresses  *addressbook.Book
	Batches    *addressbook.Batches
	COA        *coa.Service
	Rater      *rating.Rater
	Metering   *metering.Service
	Payments   *payments.Service
	Stripe     payments.Setup
	Postage    *postage.Service
	Reports    *reports.Service
	// ReturnAddresses are the accounts' ship-from addresses (nil without
	// address cleansing); Presets their saved packages.
	ReturnAddresses *accounts.ReturnAddresses
	Presets         *presets.Service

	Handler *handlers.Handler
	Web     *web.Server
	// Tasks is what the worker's job handlers need.
	Tasks tasks.Deps

	closers []func()
}

// The in-process caches of serve, kept by every process that builds the app
// so tests exercise the same paths. apiKeyCacheTTL bounds how long a cached
// API key is trusted should an invalidation message be lost; revocations
// normally arrive at once. fundingCacheTTL bounds how long another process may
// use a purchase's old funding mode (docs/ARCHITECTURE.md, Web).
const (
	apiKeyCacheTTL  = 60 * time.Second
	fundingCacheTTL = 2 * time.Second
)

// New builds the application. Close releases what New opened; the background
// work it starts (the API-key invalidation watcher) ends with ctx or Close.
func New(ctx context.Context, cfg config.Config, opts Options) (_ *App, err error) {
	a := &App{Config: cfg, Registry: opts.Registry}
	if a.Registry == nil {
		a.Registry = prometheus.NewRegistry()
	}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	if err := a.openStores(ctx, opts); err != nil {
		return nil, err
	}
	if opts.DatabaseOnly {
		return a, nil
	}
	if err := a.openBox(ctx, opts); err != nil {
		return nil, err
	}
	if err := a.buildServices(ctx, opts); err != nil {
		return nil, err
	}
	a.buildWeb()
	a.buildTasks()
	return a, nil
}

// Close releases what New opened, in reverse order.
func (a *App) Close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
	a.closers = nil
}

func (a *App) onClose(f func()) { a.closers = append(a.closers, f) }

// partial reports a service that could not start: fatal unless opts.Partial.
func partial(opts Options, what string, err error) error {
	if !opts.Partial {
		return err
	}
	logDisabled(what, err)
	return nil
}
