package handlers

import (
	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/views"
	"indicia/web/request"
)

// ShowLogin renders the login form.
func (h *Handler) ShowLogin(c fiber.Ctx) error {
	if request.Actor(c) != nil {
		return c.Redirect().Status(fiber.StatusSeeOther).To("/dashboard")
	}
	return render(c, fiber.StatusOK, views.Login(h.Page(c, "Log in", ""), emptyForm()))
}

// Login checks the password (throttled) and starts a new session.
func (h *Handler) Login(c fiber.Ctx) error {
	f := form(c, "email")
	u, err := h.d.Accounts.Login(c.Context(), accounts.LoginAttempt{
		Email: f.V("email"), Password: c.FormValue("password"), IP: c.IP(), UserAgent: c.Get(fiber.HeaderUserAgent),
	})
	if err != nil {
		if formError(&f, err) {
			return render(c, fiber.StatusUnprocessableEntity, views.Login(h.Page(c, "Log in", ""), f))
		}
		e, ok := apperr.As(err)
		if !ok {
			return err
		}
		p := h.Page(c, "Log in", "")
		p.Error = e.Message
		status := fiber.StatusUnauthorized
		switch e.Kind {
		case apperr.KindRateLimited:
			status = fiber.StatusTooManyRequests
		case apperr.KindForbidden:
			status = fiber.StatusForbidden
		}
		return render(c, status, views.Login(p, f))
	}
	if err := h.startSession(c, u.ID); err != nil {
		return err
	}
	return h.redirectWith(c, "/dashboard", "")
}

// Logout ends this session.
func (h *Handler) Logout(c fiber.Ctx) error {
	if id := request.SessionID(c); id != "" {
		if err := h.d.Accounts.Sessions.Delete(c.Context(), id); err != nil {
			return err
		}
	}
	c.ClearCookie(request.SessionCookie)
	return h.redirectWith(c, "/login", "You are logged out.")
}
