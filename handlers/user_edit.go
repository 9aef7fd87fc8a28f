package handlers

import (
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/views"
	"indicia/web/request"
)

// usersBase is where the actor manages users: admins see everyone.
func usersBase(c fiber.Ctx) string {
	if request.Actor(c).Role == accounts.RoleAdmin {
		return "/admin/users"
	}
	return "/account/users"
}

func userID(c fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return 0, apperr.NotFound("No such user.")
	}
	return id, nil
}

// ShowEditUser renders a user's edit form for an owner or an admin.
func (h *Handler) ShowEditUser(c fiber.Ctx) error {
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
			f := emptyForm()
			f.Values["name"], f.Values["email"] = u.Name, u.Email
			var limits []int64
			if u.Role == accounts.RoleUser {
				if limits, err = h.d.Accounts.UserCostCodes(c.Context(), u.ID); err != nil {
					return err
				}
			}
			return h.renderEditUser(c, fiber.StatusOK, id, f, permStrings(u.Permissions), string(u.Role), u.Email, limits)
		}
	}
	return apperr.NotFound("No such user.")
}

func (h *Handler) renderEditUser(c fiber.Ctx, status int, id int64, f views.Form, perms []string, role, email string, limits []int64) error {
	var roles []views.Option
	actor := *request.Actor(c)
	if actor.Role == accounts.RoleAdmin {
		roles = roleOptions(role)
	}
	// A mailer user (not the owner) can be limited to some cost codes.
	var codes []views.Option
	if actor.Role.IsMailer() && role == string(accounts.RoleUser) {
		all, err := h.d.Accounts.CostCodes(c.Context(), actor, false)
		if err != nil {
			return err
		}
		for _, cc := range all {
			codes = append(codes, views.Option{Value: strconv.FormatInt(cc.ID, 10), Label: cc.Label(), Selected: slices.Contains(limits, cc.ID)})
		}
	}
	action := usersBase(c) + "/" + strconv.FormatInt(id, 10)
	return render(c, status, views.EditUser(h.Page(c, "Edit user", "users"), action, f, permOptions(perms), roles, email, codes))
}

// formCostCodes reads the ticked cost codes of the user form.
func formCostCodes(c fiber.Ctx) ([]int64, error) {
	var ids []int64
	for _, v := range formMulti(c, "cost_codes") {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, apperr.Invalid("cost_codes", "Choose cost codes from the list.")
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// EditUser saves a user's name and permissions (and role/email for admins).
func (h *Handler) EditUser(c fiber.Ctx) error {
	id, err := userID(c)
	if err != nil {
		return err
	}
	f := form(c, "name", "email", "role")
	perms := formMulti(c, "permissions")
	actor := *request.Actor(c)
	limits, err := formCostCodes(c)
	if err == nil && actor.Role.IsMailer() {
		// Checked before anything is saved: a refused limit changes nothing.
		err = h.d.Accounts.CheckCostCodeIDs(c.Context(), actor.AccountID, limits)
	}
	if err == nil {
		var u accounts.User
		u, err = h.d.Accounts.UpdateUser(c.Context(), actor, id, accounts.UpdateInput{Name: f.V("name"), Email: f.V("email"), Role: f.V("role"), Permissions: perms})
		if err == nil && actor.Role.IsMailer() && u.Role == accounts.RoleUser {
			err = h.d.Accounts.SetUserCostCodes(c.Context(), actor, id, limits)
		}
		if f.V("role") == "" {
			f.Values["role"] = string(u.Role)
		}
	}
	if err != nil {
		if formError(&f, err) {
			role := f.V("role")
			if target, terr := h.d.Accounts.User(c.Context(), id); role == "" && terr == nil && target.AccountID == actor.AccountID {
				role = string(target.Role) // keeps the cost code choice on the form
			}
			return h.renderEditUser(c, fiber.StatusUnprocessableEntity, id, f, perms, role, f.V("email"), limits)
		}
		return err
	}
	return h.redirectWith(c, usersBase(c), "User saved.")
}

// DisableUser disables a user and ends their sessions at once, once the
// confirmation page was answered; a post without it goes to that page.
func (h *Handler) DisableUser(c fiber.Ctx) error {
	if c.FormValue("confirm") != "yes" {
		return c.Redirect().Status(fiber.StatusSeeOther).To(usersBase(c) + "/" + c.Params("id") + "/disable")
	}
	return h.setDisabled(c, true)
}

// EnableUser lets a disabled user log in again.
func (h *Handler) EnableUser(c fiber.Ctx) error { return h.setDisabled(c, false) }

func (h *Handler) setDisabled(c fiber.Ctx, disabled bool) error {
	id, err := userID(c)
	if err != nil {
		return err
	}
	if err := h.d.Accounts.SetDisabled(c.Context(), *request.Actor(c), id, disabled); err != nil {
		return err
	}
	msg := "User enabled."
	if disabled {
		msg = "User disabled and logged out everywhere."
	}
	return h.redirectWith(c, usersBase(c), msg)
}

// DeleteUser removes a user.
func (h *Handler) DeleteUser(c fiber.Ctx) error {
	id, err := userID(c)
	if err != nil {
		return err
	}
	if err := h.d.Accounts.DeleteUser(c.Context(), *request.Actor(c), id); err != nil {
		return err
	}
	return h.redirectWith(c, usersBase(c), "User deleted.")
}
