package web

import (
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/prometheus/client_golang/prometheus"

	"indicia/handlers"
)

// Options configure the web server.
type Options struct {
	Handler    *handlers.Handler
	Secure     bool // served over HTTPS: Secure cookies and HSTS
	TrustProxy bool
	Registry   *prometheus.Registry
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
		Immutable:    true,
		BodyLimit:    101 << 20, // address lists up to address.MaxImportBytes (100 MB) plus the multipart envelope
		ReadTimeout:  30 * time.Second,
		WriteTimeout: 120 * time.Second,
		IdleTimeout:  120 * time.Second,
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
