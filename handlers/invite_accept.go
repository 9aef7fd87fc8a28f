package handlers

import (
	"github.com/gofiber/fiber/v3"

	"indicia/views"
)

// ShowAcceptInvite lets an invited user choose a password.
func (h *Handler) ShowAcceptInvite(c fiber.Ctx) error {
	return render(c, fiber.StatusOK, views.AcceptInvite(h.Page(c, "Accept invitation", ""), emptyForm(), c.Params("token"), "your new Indicia login"))
}

// AcceptInvite sets the password and logs the new user in.
func (h *Handler) AcceptInvite(c fiber.Ctx) error {
	f := emptyForm()
	u, err := h.d.Accounts.AcceptInvite(c.Context(), c.Params("token"), c.FormValue("password"))
	if err != nil {
		if formError(&f, err) {
			return render(c, fiber.StatusUnprocessableEntity, views.AcceptInvite(h.Page(c, "Accept invitation", ""), f, c.Params("token"), "your new Indicia login"))
		}
		return err
	}
	if err := h.startSession(c, u.ID); err != nil {
		return err
	}
	return h.redirectWith(c, "/dashboard", "Welcome! Your password is set.")
}
