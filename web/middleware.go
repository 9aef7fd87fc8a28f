package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/middleware/requestid"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/web/request"
)

const csrfCookie = "indicia_csrf"

func requestID(c fiber.Ctx) string { return requestid.FromContext(c) }

// isAPI reports a JSON API request. Page middleware is registered with Use on
// "/", so Fiber also runs it for API routes added after it; those skip it here.
func isAPI(c fiber.Ctx) bool { return strings.HasPrefix(c.Path(), "/api/") }

// logRequests writes one JSON line per request with its request ID.
func logRequests(c fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if fe, ok := err.(*fiber.Error); ok {
		status = fe.Code
	}
	slog.InfoContext(c.Context(), "request", "request_id", requestID(c), "method", c.Method(), "path", c.Path(),
		"route", c.Route().Path, "status", status, "duration_ms", float64(time.Since(start).Microseconds())/1000, "ip", c.IP())
	return err
}

// securityHeaders sets the browser protections on every response.
func (s *Server) securityHeaders(c fiber.Ctx) error {
	csp := "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	if s.opt.StripeElements {
		csp = withStripe(csp)
	}
	c.Set("Content-Security-Policy", csp)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Referrer-Policy", "same-origin")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	if s.opt.Secure {
		c.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
	return c.Next()
}

// withStripe widens the content security policy for Stripe's Payment Element.
func withStripe(csp string) string {
	csp = strings.Replace(csp, "script-src 'self'", "script-src 'self' https://js.stripe.com", 1)
	return csp + "; frame-src https://js.stripe.com https://hooks.stripe.com; connect-src 'self' https://api.stripe.com"
}

// session resolves the session cookie to a user (pages only). A disabled or
// deleted user's session is ended here too, in case Redis missed the purge.
func (s *Server) session(c fiber.Ctx) error {
	if isAPI(c) {
		return c.Next()
	}
	acc := s.opt.Accounts
	if id := c.Cookies(request.SessionCookie); id != "" {
		sess, err := acc.Sessions.Get(c.Context(), id)
		switch {
		case err == nil:
			u, uerr := acc.User(c.Context(), sess.UserID)
			if uerr == nil && !u.Disabled {
				request.SetActor(c, &u)
				request.SetSession(c, id, sess.CSRF)
				c.Set(fiber.HeaderCacheControl, "no-store")
				return c.Next()
			}
			if uerr != nil && apperr.KindOf(uerr) != apperr.KindNotFound {
				return uerr
			}
			acc.Sessions.Delete(c.Context(), id)
		case !errors.Is(err, accounts.ErrNoSession):
			return apperr.Unavailable("Sessions are unavailable right now. Please try again in a moment.", err)
		}
		c.ClearCookie(request.SessionCookie)
	}
	// Anonymous forms (login, sign-up) are protected by a double-submit token.
	tok := c.Cookies(csrfCookie)
	if len(tok) < 32 {
		b := make([]byte, 32)
		rand.Read(b)
		tok = base64.RawURLEncoding.EncodeToString(b)
		c.Cookie(&fiber.Cookie{Name: csrfCookie, Value: tok, Path: "/", HTTPOnly: true, SameSite: "Lax", Secure: s.opt.Secure})
	}
	request.SetSession(c, "", tok)
	return c.Next()
}

// csrf refuses a state-changing form whose token does not match the session's.
func csrf(c fiber.Ctx) error {
	if isAPI(c) {
		return c.Next() // bearer keys, no cookies: nothing to forge
	}
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	sent := c.FormValue("_csrf")
	if sent == "" {
		sent = c.Get("X-CSRF-Token")
	}
	want := request.CSRFToken(c)
	if want == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(want)) != 1 {
		return apperr.Forbidden("This form has expired or did not come from this site. Go back, reload the page and try again.")
	}
	return c.Next()
}

// requireLogin sends anonymous visitors to the login page.
func requireLogin(c fiber.Ctx) error {
	if isAPI(c) {
		return c.Next()
	}
	if request.Actor(c) == nil {
		if m := c.Method(); m == fiber.MethodGet || m == fiber.MethodHead {
			return c.Redirect().Status(fiber.StatusSeeOther).To("/login")
		}
		return apperr.Unauthorized("Please log in first.")
	}
	return c.Next()
}

// allow lets only the given roles through. Domain methods check again.
func allow(roles ...accounts.Role) fiber.Handler {
	return func(c fiber.Ctx) error {
		u := request.Actor(c)
		if u == nil {
			return apperr.Unauthorized("Please log in first.")
		}
		if !slices.Contains(roles, u.Role) {
			if strings.HasPrefix(c.Path(), "/api/") {
				// A client developer needs to know which key to use instead.
				names := make([]string, len(roles))
				for i, r := range roles {
					names[i] = strings.ToLower(r.Label())
				}
				return apperr.Forbidden(fmt.Sprintf("This endpoint is for these roles: %s. This API key acts for a %s.", strings.Join(names, ", "), strings.ToLower(u.Role.Label())))
			}
			return apperr.Forbidden("Your role does not allow this page.")
		}
		return c.Next()
	}
}

// can lets only users holding perm through.
func can(perm accounts.Permission) fiber.Handler {
	return func(c fiber.Ctx) error {
		u := request.Actor(c)
		if u == nil {
			return apperr.Unauthorized("Please log in first.")
		}
		if !u.Can(perm) {
			return apperr.Forbidden("You do not have the \"" + perm.Label() + "\" permission.")
		}
		return c.Next()
	}
}

// apiKey authenticates /api/v1 requests by bearer key.
func (s *Server) apiKey(c fiber.Ctx) error {
	auth := c.Get(fiber.HeaderAuthorization)
	secret, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="indicia"`)
		return apperr.Unauthorized("Send your API key as: Authorization: Bearer <key>.")
	}
	u, err := s.opt.Accounts.AuthenticateAPIKey(c.Context(), strings.TrimSpace(secret))
	if err != nil {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="indicia", error="invalid_token"`)
		return err
	}
	request.SetActor(c, &u)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Next()
}
