package handlers

import (
	"github.com/gofiber/fiber/v3"

	"indicia/web/request"
)

// startSession logs the user in on this browser with a brand-new session ID.
func (h *Handler) startSession(c fiber.Ctx, userID int64) error {
	if old := c.Cookies(request.SessionCookie); old != "" {
		h.d.Accounts.Sessions.Delete(c.Context(), old)
	}
	id, _, err := h.d.Accounts.Sessions.Create(c.Context(), userID)
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: request.SessionCookie, Value: id, Path: "/", HTTPOnly: true, SameSite: "Lax", Secure: h.d.SecureCookie})
	return nil
}
