package request

import (
	"time"

	"github.com/gofiber/fiber/v3"
)

// SessionCookie is the name of the session cookie: handlers set it at login,
// the middleware resolves it on every page.
const SessionCookie = "indicia_session"

const flashCookie = "indicia_flash"

// SetFlash leaves a one-time message for the next page this browser loads.
func SetFlash(c fiber.Ctx, msg string, secure bool) {
	c.Cookie(&fiber.Cookie{Name: flashCookie, Value: msg, Path: "/", HTTPOnly: true, SameSite: "Lax", Secure: secure, MaxAge: 60})
}

// takeFlash returns the one-time message, if any, and clears it.
func takeFlash(c fiber.Ctx) string {
	f := c.Cookies(flashCookie)
	if f != "" {
		c.Cookie(&fiber.Cookie{Name: flashCookie, Value: "", Path: "/", Expires: time.Unix(1, 0), HTTPOnly: true, SameSite: "Lax"})
	}
	return f
}
