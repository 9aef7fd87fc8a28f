package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/views"
)

// renderAcceptInvite shows the invitation: which account and which email the
// person is joining, so they know what the password is for before they set it.
func (h *Handler) renderAcceptInvite(c fiber.Ctx, status int, f views.Form) error {
	vm := views.InviteVM{Token: c.Params("token")}
	inv, err := h.d.Accounts.InvitationByToken(c.Context(), vm.Token)
	switch {
	case apperr.KindOf(err) == apperr.KindNotFound:
		e, _ := apperr.As(err)
		vm.Gone = e.Message
	case err != nil:
		return err
	default:
		vm.Email, vm.Company = inv.Email, inv.Company
		vm.InvitedByName, vm.InvitedByEmail = inv.InvitedByName, inv.InvitedByEmail
		if inv.CustomerID != 0 {
			vm.CustomerID = strconv.FormatInt(inv.CustomerID, 10)
		}
	}
	return render(c, status, views.AcceptInvite(h.Page(c, "Accept invitation", ""), f, vm))
}

// ShowAcceptInvite lets an invited user choose a password.
func (h *Handler) ShowAcceptInvite(c fiber.Ctx) error {
	return h.renderAcceptInvite(c, fiber.StatusOK, emptyForm())
}

// AcceptInvite sets the password and logs the new user in.
func (h *Handler) AcceptInvite(c fiber.Ctx) error {
	f := emptyForm()
	u, err := h.d.Accounts.AcceptInvite(c.Context(), c.Params("token"), c.FormValue("password"))
	if err != nil {
		if formError(&f, err) {
			return h.renderAcceptInvite(c, fiber.StatusUnprocessableEntity, f)
		}
		return err
	}
	if err := h.startSession(c, u.ID); err != nil {
		return err
	}
	h.d.Accounts.RecordFirstLogin(c.Context(), u, c.IP(), c.Get(fiber.HeaderUserAgent))
	return h.redirectWith(c, "/dashboard", "Welcome! Your password is set.")
}
