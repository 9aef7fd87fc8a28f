package web

import (
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/prometheus/client_golang/prometheus"

	"indicia/accounts"
	"indicia/handlers"
)

// Options configure the web server. The middleware gets its services here,
// not through the handler: web calls handlers, never the other way round.
type Options struct {
	Handler *handlers.Handler
	// Accounts resolves session cookies and API keys.
	Accounts *accounts.Service
	// StripeElements: pages load Stripe's Payment Element, so the content
	// security policy allows Stripe's scripts and frames.
	StripeElements bool
	// TestMode shows the test-mode banner on error pages too.
	TestMode   bool
	Secure     bool // served over HTTPS: Secure cookies and HSTS
	TrustProxy bool
	Registry   *prometheus.Registry
	// MetricsToken is the bearer token /metrics requires; empty serves it
	// to loopback clients only.
	MetricsToken string
}

// Server is the assembled web application.
type Server struct {
	h       *handlers.Handler
	opt     Options
	metrics *metrics
	App     *fiber.App
}

// New builds the Fiber app with every route.
func New(opt Options) *Server {
	if opt.Registry == nil {
		opt.Registry = prometheus.NewRegistry()
	}
	s := &Server{h: opt.Handler, opt: opt, metrics: newMetrics(opt.Registry)}
	cfg := fiber.Config{
		AppName:      "indicia",
		ErrorHandler: s.errorHandler,
		// Strings from the request stay valid after the handler returns; we keep some (form values in errors).
		Immutable: true,
		// Bodies are streams: limitBody holds each route to its own limit
		// while reading, so BodyLimit only sizes what fasthttp prefetches.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		BodyLimit:                    int(maxBodyLimit()),
		ReadBufferSize:               maxHeaderBytes,
		ReadTimeout:                  30 * time.Second,
		WriteTimeout:                 120 * time.Second,
		IdleTimeout:                  120 * time.Second,
	}
	if opt.TrustProxy {
		cfg.TrustProxy = true
		cfg.ProxyHeader = fiber.HeaderXForwardedFor
		cfg.TrustProxyConfig = fiber.TrustProxyConfig{Loopback: true, Private: true}
	}
	s.App = fiber.New(cfg)
	s.routes()
	return s
}
