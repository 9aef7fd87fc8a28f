package handlers

import (
	"github.com/gofiber/fiber/v3"

	"indicia/views"
	"indicia/web/request"
)

// ShowChangePassword renders the password form.
func (h *Handler) ShowChangePassword(c fiber.Ctx) error {
	return render(c, fiber.StatusOK, views.ChangePassword(h.Page(c, "Change password", "password"), emptyForm()))
}

// ChangePassword replaces the password and ends the user's other sessions.
func (h *Handler) ChangePassword(c fiber.Ctx) error {
	f := emptyForm()
	err := h.d.Accounts.ChangePassword(c.Context(), *request.Actor(c), c.FormValue("current_password"), c.FormValue("new_password"), request.SessionID(c))
	if err != nil {
		if formError(&f, err) {
			return render(c, fiber.StatusUnprocessableEntity, views.ChangePassword(h.Page(c, "Change password", "password"), f))
		}
		return err
	}
	return h.redirectWith(c, "/dashboard", "Your password is changed. Other sessions were logged out.")
}
