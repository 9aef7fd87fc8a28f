package app_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"indicia/app"
	"indicia/config"
	"indicia/db/dbtest"
	"indicia/metering/meteringtest"
)

func testConfig(t *testing.T, set map[string]string) config.Config {
	t.Helper()
	env := map[string]string{"REDIS_URL": os.Getenv("REDIS_URL"), "LOG_LEVEL": "error", "INDICIA_VAR": t.TempDir()}
	for k, v := range set {
		env[k] = v
	}
	cfg, err := config.Load(func(name string) string { return env[name] })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// New opens everything from the configuration alone, as serve does.
func TestNewFromConfig(t *testing.T) {
	bx := meteringtest.Start(t)
	_, prefix := dbtest.Redis(t)
	cfg := testConfig(t, map[string]string{"DATABASE_URL": dbtest.NewURL(t), "BOX_SOCKET": bx.Socket,
		"REDIS_PREFIX": prefix, "INDICIA_VAR": t.TempDir()})
	a, err := app.New(context.Background(), cfg, app.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for name, ok := range map[string]bool{"pool": a.Pool != nil, "redis": a.Redis != nil, "box": a.Box != nil,
		"accounts": a.Accounts != nil, "jobs": a.Jobs != nil, "cleanser": a.Cleanser != nil, "addresses": a.Addresses != nil,
		"batches": a.Batches != nil, "coa": a.COA != nil, "rater": a.Rater != nil, "metering": a.Metering != nil,
		"payments": a.Payments != nil, "web": a.Web != nil, "task metering": a.Tasks.Metering != nil,
		"task payments": a.Tasks.Payments != nil, "task coa": a.Tasks.COA != nil} {
		if !ok {
			t.Errorf("%s was not built", name)
		}
	}
	if got, want := a.Jobs.Name(), app.QueueName(prefix); got != want {
		t.Errorf("queue %q, want %q (from REDIS_PREFIX)", got, want)
	}
	if !a.Stripe.TestMode || !a.Stripe.StandIn {
		t.Errorf("without STRIPE_SECRET_KEY the stand-in is used: test mode %v, stand-in %v", a.Stripe.TestMode, a.Stripe.StandIn)
	}
	resp, err := a.Web.App.Test(httptest.NewRequest("GET", "/healthz", nil))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Errorf("/healthz: %d", resp.StatusCode)
	}
}

// What the caller passes in is the caller's: Close leaves it open.
func TestCloseLeavesGivenStores(t *testing.T) {
	pool := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	bx := meteringtest.Start(t)
	a, err := app.New(context.Background(), testConfig(t, map[string]string{"REDIS_PREFIX": prefix}),
		app.Options{Pool: pool, Redis: rdb, Box: bx.Client})
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	ctx := context.Background()
	if err := pool.Ping(ctx); err != nil {
		t.Errorf("pool closed: %v", err)
	}
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Errorf("redis closed: %v", err)
	}
	if err := bx.Client.Ping(ctx); err != nil {
		t.Errorf("box closed: %v", err)
	}
}

// The worker runs without the box: the services that need it are left out.
func TestPartialWithoutBox(t *testing.T) {
	pool := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	cfg := testConfig(t, map[string]string{"REDIS_PREFIX": prefix, "BOX_SOCKET": filepath.Join(t.TempDir(), "none.sock")})
	opts := app.Options{Pool: pool, Redis: rdb, BoxWait: 100 * time.Millisecond}
	if _, err := app.New(context.Background(), cfg, opts); err == nil {
		t.Fatal("built without a box")
	}
	opts.Partial = true
	a, err := app.New(context.Background(), cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.Metering != nil || a.Payments != nil || a.Tasks.Metering != nil || a.Tasks.Payments != nil {
		t.Error("metering or payments built without a box")
	}
	if a.Tasks.Batches == nil || a.Tasks.COA == nil {
		t.Error("the job kinds that need no box were left out")
	}
}

// migrate needs only the database.
func TestDatabaseOnly(t *testing.T) {
	cfg := testConfig(t, map[string]string{"DATABASE_URL": dbtest.NewURL(t), "REDIS_URL": "redis://127.0.0.1:1/0"})
	a, err := app.New(context.Background(), cfg, app.Options{Migrate: true, DatabaseOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.Pool == nil || a.Redis != nil || a.Accounts != nil {
		t.Errorf("database only: pool %v, redis %v, accounts %v", a.Pool != nil, a.Redis != nil, a.Accounts != nil)
	}
}

func TestQueueName(t *testing.T) {
	for prefix, want := range map[string]string{"indicia:": "indicia", "a:b:": "ab", ":": "indicia", "": "indicia"} {
		if got := app.QueueName(prefix); got != want {
			t.Errorf("QueueName(%q) = %q, want %q", prefix, got, want)
		}
	}
}

// A live Stripe key without its webhook secret stops the process at start,
// naming the setting.
func TestLiveStripeKeyNeedsAWebhookSecret(t *testing.T) {
	pool := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	bx := meteringtest.Start(t)
	cfg := testConfig(t, map[string]string{"REDIS_PREFIX": prefix, "STRIPE_SECRET_KEY": "sk_live_not_real"})
	a, err := app.New(context.Background(), cfg, app.Options{Pool: pool, Redis: rdb, Box: bx.Client})
	if err == nil {
		a.Close()
		t.Fatal("app.New accepted a live key without STRIPE_WEBHOOK_SECRET")
	}
	if !strings.Contains(err.Error(), "STRIPE_WEBHOOK_SECRET is required") {
		t.Errorf("error %q does not name STRIPE_WEBHOOK_SECRET", err)
	}
}
