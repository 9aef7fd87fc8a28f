package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/web/request"
)

// ResolveLoginChainAlert marks a login chain alert as dealt with (vendor
// admins); without a resolution the page comes back with the message at the
// alert's field.
func (h *Handler) ResolveLoginChainAlert(c fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return apperr.NotFound("No such login chain alert.")
	}
	f := form(c, "resolution")
	if err := h.d.Accounts.ResolveChainAlert(c.Context(), *request.Actor(c), id, f.V("resolution")); err != nil {
		if formError(&f, err) {
			return h.renderLoginChainAlerts(c, fiber.StatusUnprocessableEntity, id, f)
		}
		return err
	}
	return h.redirectWith(c, "/admin/login-alerts", "Login chain alert resolved.")
}
