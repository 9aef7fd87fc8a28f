package handlers

import (
	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/views"
	"indicia/web/request"
)

func (h *Handler) renderAccountUsers(c fiber.Ctx, status int, f views.Form, selected []string, inviteLink, inviteNote string) error {
	u := request.Actor(c)
	users, err := h.d.Accounts.ListUsers(c.Context(), *u, u.AccountID)
	if err != nil {
		return err
	}
	return render(c, status, views.AccountUsers(h.Page(c, "Users", "users"), userRows(*u, users), f, permOptions(selected), inviteLink, inviteNote))
}

// AccountUsers lists the users of the actor's account with the invite form.
func (h *Handler) AccountUsers(c fiber.Ctx) error {
	return h.renderAccountUsers(c, fiber.StatusOK, emptyForm(), []string{string(accounts.PermBuyPostage)}, "", "")
}

// InviteUser adds a user to the account and shows their one-time link.
func (h *Handler) InviteUser(c fiber.Ctx) error {
	f := form(c, "name", "email")
	perms := formMulti(c, "permissions")
	actor := *request.Actor(c)
	invited, token, err := h.d.Accounts.InviteUser(c.Context(), actor, accounts.InviteInput{Email: f.V("email"), Name: f.V("name"), Permissions: perms})
	if err != nil {
		if formError(&f, err) {
			return h.renderAccountUsers(c, fiber.StatusUnprocessableEntity, f, perms, "", "")
		}
		return err
	}
	link := h.d.BaseURL + "/invite/" + token
	note := h.mailInvitation(c, actor, invited, link)
	// Shown once on this response, not after a redirect: the link is a credential.
	return h.renderAccountUsers(c, fiber.StatusOK, emptyForm(), nil, link, note)
}
