package handlers

import (
	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/views"
	"indicia/web/request"
)

// VerifyEmailLink uses an emailed confirmation link.
func (h *Handler) VerifyEmailLink(c fiber.Ctx) error {
	u, err := h.d.Accounts.VerifyEmail(c.Context(), c.Params("token"))
	if e, ok := apperr.As(err); ok && e.Kind == apperr.KindNotFound {
		p := h.Page(c, "Confirm your email address", "")
		p.Error = e.Message
		return render(c, fiber.StatusNotFound, views.CheckEmail(p, "Confirm your email address", "your address", "a link earlier; this one no longer works"))
	}
	if err != nil {
		return err
	}
	h.provisionFirstMeter(c.Context(), u)
	if request.Actor(c) != nil {
		return h.redirectWith(c, "/dashboard", "Your email address is confirmed. You can buy postage now.")
	}
	return h.redirectWith(c, "/login", "Your email address is confirmed. Log in to buy postage.")
}

// ShowVerifyEmail offers a new confirmation link.
func (h *Handler) ShowVerifyEmail(c fiber.Ctx) error {
	u := request.Actor(c)
	return render(c, fiber.StatusOK, views.VerifyEmail(h.Page(c, "Confirm your email address", ""), u.Email, u.EmailVerified))
}

// SendVerifyEmail sends a new confirmation link.
func (h *Handler) SendVerifyEmail(c fiber.Ctx) error {
	u := request.Actor(c)
	if err := h.d.Accounts.SendVerification(c.Context(), *u); err != nil {
		return err
	}
	return h.redirectWith(c, "/account/verify-email", "We sent a new link to "+u.Email+".")
}
