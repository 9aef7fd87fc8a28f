package handlers

import (
	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/views"
	"indicia/web/request"
)

// ShowDisableUser asks before disabling a user: a page of its own, so the
// question is asked without JavaScript too.
func (h *Handler) ShowDisableUser(c fiber.Ctx) error {
	id, err := userID(c)
	if err != nil {
		return err
	}
	actor := request.Actor(c)
	users, err := h.d.Accounts.ListUsers(c.Context(), *actor, actor.AccountID)
	if err != nil {
		return err
	}
	for _, u := range users {
		if u.ID == id {
			return render(c, fiber.StatusOK, views.ConfirmDisableUser(h.Page(c, "Disable user", ""), usersBase(c), c.Params("id"), u.Name, u.Email))
		}
	}
	return apperr.NotFound("No such user.")
}
