package web

import (
	"crypto/subtle"
	"strings"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
)

// metricsGuard keeps /metrics from the public: with a token it requires that
// bearer token; without one it answers only a client connected over
// loopback, and 404 to everyone else so the endpoint is not advertised.
//
// The connection's own address is used, never the forwarded one: a client
// can put "127.0.0.1" in X-Forwarded-For, and a proxy on this host connects
// over loopback for everyone, so a forwarded request is never local.
func (s *Server) metricsGuard(c fiber.Ctx) error {
	if tok := s.opt.MetricsToken; tok != "" {
		got, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(tok)) != 1 {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="metrics"`)
			return apperr.Unauthorized("A metrics token is required.")
		}
		return c.Next()
	}
	if !c.RequestCtx().RemoteIP().IsLoopback() || forwarded(c) {
		return apperr.NotFound("Not found.")
	}
	return c.Next()
}

// forwarded reports whether a proxy (or a client pretending to be one)
// relayed the request.
func forwarded(c fiber.Ctx) bool {
	for _, h := range []string{fiber.HeaderXForwardedFor, "Forwarded", "X-Real-Ip"} {
		if c.Get(h) != "" {
			return true
		}
	}
	return false
}
