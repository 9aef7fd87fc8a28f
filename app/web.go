package app

import (
	"context"
	"time"

	"indicia/handlers"
	"indicia/metering/box"
	"indicia/web"
)

// buildWeb builds the handlers and the web server on the services.
func (a *App) buildWeb() {
	cfg := a.Config
	d := handlers.Deps{
		Accounts: a.Accounts, Jobs: a.Jobs, Metering: a.Metering, Rater: a.Rater,
		BaseURL: cfg.BaseURL, SecureCookie: cfg.Secure(),
		Hygiene: a.Cleanser, Addresses: a.Addresses, Batches: a.Batches,
		COA: a.COA, UploadDir: UploadDir(cfg),
		Payments: a.Payments, Postage: a.Postage, TestMode: a.Stripe.TestMode,
		Checks: a.checks(), Mail: a.linkMailer(), Reports: a.Reports,
		ReturnAddresses: a.ReturnAddresses, Presets: a.Presets,
	}
	if a.Box != nil {
		bx := a.Box
		d.RootCert = func(ctx context.Context) ([]byte, error) {
			k, err := bx.Certificates(ctx)
			return k.RootCertPEM, err
		}
	}
	a.Handler = handlers.New(d)
	a.Web = web.New(web.Options{Handler: a.Handler, Accounts: a.Accounts,
		StripeElements: a.Payments != nil && a.Payments.PublishableKey() != "", TestMode: a.Stripe.TestMode, Secure: cfg.Secure(), TrustProxy: cfg.TrustProxy, Registry: a.Registry,
		MetricsToken: cfg.MetricsToken})
}

// checks are the dependencies /healthz pings.
func (a *App) checks() []handlers.Check {
	cs := []handlers.Check{
		{Name: "postgres", Fn: a.Pool.Ping},
		{Name: "redis", Fn: func(ctx context.Context) error { return a.Redis.Ping(ctx).Err() }},
	}
	if a.Box != nil {
		cs = append(cs, handlers.Check{Name: "box", Fn: a.Box.Ping, Detail: a.boxStatus})
		if len(box.SocketList(a.Config.BoxSocket)) > 1 {
			cs = append(cs, handlers.Check{Name: "box_cluster", Fn: a.Box.Ping,
				Report: func(ctx context.Context) any { return box.ReportCluster(a.Box.ClusterStatus(ctx)) }})
		}
	}
	return cs
}

// boxStatus is the box's health for /readyz: its version, uptime and last
// durable freshness write, when it reports them.
func (a *App) boxStatus(ctx context.Context) any {
	st, err := a.Box.Status(ctx)
	if err != nil || st.StartedAt.IsZero() {
		return nil
	}
	out := map[string]any{"version": st.Version, "uptime_seconds": int64(st.Uptime(time.Now()).Seconds())}
	if !st.LastDurableWrite.IsZero() {
		out["last_durable_write"] = st.LastDurableWrite.Format(time.RFC3339)
	}
	return out
}
