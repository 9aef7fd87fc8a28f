package handlers

import (
	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/views"
)

// ShowForgotPassword renders the form that asks for a reset link.
func (h *Handler) ShowForgotPassword(c fiber.Ctx) error {
	return render(c, fiber.StatusOK, views.ForgotPassword(h.Page(c, "Reset your password", ""), emptyForm()))
}

// ForgotPassword emails a reset link when the address has an account, and
// answers the same when it has none.
func (h *Handler) ForgotPassword(c fiber.Ctx) error {
	f := form(c, "email")
	if err := h.d.Accounts.RequestPasswordReset(c.Context(), f.V("email"), c.IP()); err != nil {
		if formError(&f, err) {
			return render(c, fiber.StatusUnprocessableEntity, views.ForgotPassword(h.Page(c, "Reset your password", ""), f))
		}
		return err
	}
	return render(c, fiber.StatusOK, views.CheckEmail(h.Page(c, "Check your email", ""), "Check your email", f.V("email"), "a link to reset your password"))
}

// ShowResetPassword renders the new-password form of a reset link.
func (h *Handler) ShowResetPassword(c fiber.Ctx) error {
	token := c.Params("token")
	u, err := h.d.Accounts.PasswordResetUser(c.Context(), token)
	if e, ok := apperr.As(err); ok && e.Kind == apperr.KindNotFound {
		return render(c, fiber.StatusNotFound, views.ResetPassword(h.Page(c, "Choose a new password", ""), emptyForm(), token, "", e.Message))
	}
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, views.ResetPassword(h.Page(c, "Choose a new password", ""), emptyForm(), token, u.Email, ""))
}

// ResetPassword sets the new password, uses up the link and ends every session.
func (h *Handler) ResetPassword(c fiber.Ctx) error {
	token := c.Params("token")
	f := emptyForm()
	_, err := h.d.Accounts.ResetPassword(c.Context(), token, c.FormValue("password"))
	if err != nil {
		if formError(&f, err) {
			u, _ := h.d.Accounts.PasswordResetUser(c.Context(), token)
			return render(c, fiber.StatusUnprocessableEntity, views.ResetPassword(h.Page(c, "Choose a new password", ""), f, token, u.Email, ""))
		}
		if e, ok := apperr.As(err); ok && e.Kind == apperr.KindNotFound {
			return render(c, fiber.StatusNotFound, views.ResetPassword(h.Page(c, "Choose a new password", ""), f, token, "", e.Message))
		}
		return err
	}
	return h.redirectWith(c, "/login", "Your password is changed and you were logged out everywhere. Log in with the new password.")
}
