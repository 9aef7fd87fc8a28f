// Package webtest runs the whole web application for tests: a clean database,
// a private Redis prefix, demo users of every role with live sessions, and,
// for browser tests, a real listening server and headless Chromium.
package webtest

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"indicia/accounts"
	"indicia/app"
	"indicia/config"
	"indicia/db/dbtest"
	"indicia/email/smtptest"
	"indicia/hygiene/coa"
	"indicia/jobs"
	"indicia/jobs/tasks"
	"indicia/metering"
	"indicia/metering/meteringtest"
	"indicia/payments"
	"indicia/payments/stripestub"
	"indicia/web"
	"indicia/web/request"
)

// Env is one test's running application.
type Env struct {
	T        testing.TB
	Srv      *web.Server
	Acc      *accounts.Service
	Jobs     *jobs.Queue
	Pool     *pgxpool.Pool
	Redis    *redis.Client
	Metering *metering.Service
	Box      *meteringtest.Box
	Meter    metering.Meter // the owner's meter
	TaskDeps tasks.Deps
	Users    map[string]accounts.User
	Sessions map[string][2]string // role name -> session cookie value, CSRF token
	Owner    accounts.User
	COA      *coa.Service      // the change-of-address service
	Mail     *smtptest.Server  // catches every email the app sends
	Payments *payments.Service // card funding, talking to Stripe (the stand-in below)
	Stripe   *stripestub.Stub  // the Stripe stand-in; sign its Events with StripeWebhookSecret
	App      *app.App          // the whole wiring (operator tools run on it)
}

// StripeWebhookSecret signs the webhooks tests post to /stripe/webhook.
const StripeWebhookSecret = "whsec_webtest"

// Passwords of the users New creates, by role name.
var Passwords = map[string]string{"owner": "owner password 1", "clerk": "clerk password 1", "staff": "staff password 1", "admin": "admin password 1"}

// Options tune New.
type Options struct {
	// LoginMaxFails overrides LOGIN_MAX_FAILS (0: its default).
	LoginMaxFails int
	// StripePublishableKey turns on the Payment Element (billing tests).
	StripePublishableKey string
	// BoxProcess runs the box as its own process, which Env.Box can Kill and Restart.
	BoxProcess bool
	// Redis replaces the shared test Redis (a failover client through a
	// test's own Sentinel, dbtest.StartSentinel); keys keep a fresh prefix.
	Redis *redis.Client
}

// TrackingMailerID is the Mailer ID tests build tracking numbers with.
const TrackingMailerID = "901234567"

// MetricsToken is the bearer token /metrics requires in tests.
const MetricsToken = "webtest-metrics-token"

// Metrics returns the /metrics page, fetched with the token.
func (e *Env) Metrics() string {
	e.T.Helper()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+MetricsToken)
	resp := e.Test(req)
	if resp.StatusCode != http.StatusOK {
		e.T.Fatalf("GET /metrics: %d", resp.StatusCode)
	}
	return Body(e.T, resp)
}

// Config is the configuration tests run the application with: the defaults
// (as serve without any setting), the Redis prefix, the test Stripe key and
// webhook secret, the test sender, and the values in set.
func Config(redisPrefix string, set map[string]string) (config.Config, error) {
	env := map[string]string{
		"REDIS_PREFIX":          redisPrefix,
		"MAIL_FROM":             "Indicia <no-reply@indicia.test>",
		"STRIPE_SECRET_KEY":     "sk_test_webtest",
		"STRIPE_WEBHOOK_SECRET": StripeWebhookSecret,
		"METRICS_TOKEN":         MetricsToken,
		"TRACKING_MAILER_ID":    TrackingMailerID,
	}
	for k, v := range set {
		env[k] = v
	}
	return config.Load(func(name string) string { return env[name] })
}

// New starts the application with an owner ("owner@example.com"), a mailer
// user without manage_users ("clerk"), postal staff and a vendor admin.
func New(t testing.TB, opts ...Options) *Env {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	pool := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	if o.Redis != nil {
		rdb = o.Redis
	}
	var bx *meteringtest.Box
	if o.BoxProcess {
		bx = meteringtest.StartProcess(t)
	} else {
		bx = meteringtest.Start(t)
	}
	mailSrv := smtptest.Start(t)
	stub := stripestub.New(stripestub.Options{})
	stubSrv := httptest.NewServer(stub)
	t.Cleanup(stubSrv.Close)
	set := map[string]string{
		"INDICIA_VAR":            t.TempDir(),
		"SMTP_URL":               mailSrv.URL(),
		"STRIPE_API_URL":         stubSrv.URL,
		"STRIPE_PUBLISHABLE_KEY": o.StripePublishableKey,
	}
	if o.LoginMaxFails != 0 {
		set["LOGIN_MAX_FAILS"] = strconv.Itoa(o.LoginMaxFails)
	}
	cfg, err := Config(prefix, set)
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), cfg, app.Options{Pool: pool, Redis: rdb, Box: bx.Client,
		Queue: jobs.Options{Name: "test-" + strings.Trim(strings.ReplaceAll(prefix, ":", "-"), "-"),
			RetryDelay: func(int) time.Duration { return 50 * time.Millisecond }, CheckInterval: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { asynq.NewInspectorFromRedisClient(rdb).DeleteQueue(a.Jobs.Name(), true); a.Close() })
	acc, met := a.Accounts, a.Metering
	e := &Env{T: t, Srv: a.Web, Acc: acc, Jobs: a.Jobs, Pool: pool, Metering: met, Box: bx, Redis: rdb,
		Users: map[string]accounts.User{}, Sessions: map[string][2]string{},
		TaskDeps: a.Tasks, COA: a.COA, Mail: mailSrv, Payments: a.Payments, Stripe: stub, App: a}
	ctx := context.Background()
	owner, acct, err := acc.SignUp(ctx, accounts.SignUpInput{Name: "Olive Owner", Company: "Olive Mail", Email: "owner@example.com",
		Password: Passwords["owner"], Address: accounts.Address{Line1: "1 Main St", City: "Stamford", State: "CT", ZIP: "06901"}})
	if err == nil {
		err = acc.MarkEmailVerified(ctx, owner.ID)
		owner.EmailVerified = true
	}
	if err != nil {
		t.Fatal(err)
	}
	e.Owner = owner
	// The owner's meter: active at 06901 and funded with $100.00.
	m, err := met.Provision(ctx, acct.ID, acct.OriginZIP)
	if err == nil {
		m, err = met.Credit(ctx, accounts.System, m.ID, 100_00, metering.CreditAdmin, "")
	}
	if err != nil {
		t.Fatal(err)
	}
	e.Meter = m
	mk := func(email, name, role string, acct int64, perms []string) accounts.User {
		u, err := acc.CreateUser(ctx, accounts.System, accounts.CreateInput{Email: email, Name: name, Role: role, AccountID: acct,
			Password: Passwords[strings.Split(email, "@")[0]], Permissions: perms})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	users := map[string]accounts.User{
		"owner": owner,
		"clerk": mk("clerk@example.com", "Carl Clerk", "mailer_user", owner.AccountID, []string{"buy_postage"}),
		"staff": mk("staff@example.com", "Sam Staff", "postal_staff", 0, nil),
		"admin": mk("admin@example.com", "Ada Admin", "vendor_admin", 0, nil),
	}
	for name, u := range users {
		e.Users[name] = u
		id, s, err := acc.Sessions.Create(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		e.Sessions[name] = [2]string{id, s.CSRF}
	}
	return e
}

const anonCSRF = "anonymous-csrf-token-for-tests-0123456789abc"

// Do sends one request as role ("anon" for nobody); non-GET requests carry the right CSRF token.
func (e *Env) Do(role, method, path string, form url.Values) *http.Response {
	e.T.Helper()
	var body io.Reader
	if form == nil {
		form = url.Values{}
	}
	s, loggedIn := e.Sessions[role]
	if method != http.MethodGet && method != http.MethodHead {
		if loggedIn {
			form.Set("_csrf", s[1])
		} else {
			form.Set("_csrf", anonCSRF)
		}
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if loggedIn {
		req.AddCookie(&http.Cookie{Name: request.SessionCookie, Value: s[0]})
	} else {
		req.AddCookie(&http.Cookie{Name: "indicia_csrf", Value: anonCSRF})
	}
	return e.Test(req)
}

// Test sends a prepared request.
func (e *Env) Test(req *http.Request) *http.Response {
	e.T.Helper()
	resp, err := e.Srv.App.Test(req, fiber.TestConfig{Timeout: 0})
	if err != nil {
		e.T.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	return resp
}

// Listen serves the app on a loopback port for browser tests and returns its base URL.
func (e *Env) Listen() string {
	e.T.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.T.Fatal(err)
	}
	go e.Srv.App.Listener(ln, fiber.ListenConfig{DisableStartupMessage: true})
	e.T.Cleanup(func() { e.Srv.App.Shutdown() })
	return "http://" + ln.Addr().String()
}

// Body reads a response body.
func Body(t testing.TB, r *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// StartWorker runs the job worker (every registered kind) until the test ends.
func (e *Env) StartWorker() {
	r := e.Jobs.NewRunner(2)
	tasks.Register(r, e.TaskDeps)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	e.T.Cleanup(func() { cancel(); <-done })
}
