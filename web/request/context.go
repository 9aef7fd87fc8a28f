package request

import (
	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
)

type localKey int

const (
	keyUser localKey = iota
	keySessionID
	keyCSRF
)

// SetActor records the authenticated user of this request.
func SetActor(c fiber.Ctx, u *accounts.User) { c.Locals(keyUser, u) }

// Actor returns the authenticated user, or nil.
func Actor(c fiber.Ctx) *accounts.User {
	u, _ := c.Locals(keyUser).(*accounts.User)
	return u
}

// SetSession records the session cookie value and CSRF token of this request.
func SetSession(c fiber.Ctx, id, csrf string) {
	c.Locals(keySessionID, id)
	c.Locals(keyCSRF, csrf)
}

// SessionID returns the session cookie value, or "".
func SessionID(c fiber.Ctx) string { s, _ := c.Locals(keySessionID).(string); return s }

// CSRFToken returns the token forms of this request must carry.
func CSRFToken(c fiber.Ctx) string { s, _ := c.Locals(keyCSRF).(string); return s }
