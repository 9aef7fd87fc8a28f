package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/views"
)

// AdminUsers lists every user for a vendor admin.
func (h *Handler) AdminUsers(c fiber.Ctx) error {
	u := Actor(c)
	users, err := h.d.Accounts.ListUsers(c.Context(), *u, 0)
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, views.AdminUsers(h.Page(c, "All users", "admin-users"), userRows(*u, users)))
}

// ShowAdminNewUser renders the admin's create-user form.
func (h *Handler) ShowAdminNewUser(c fiber.Ctx) error {
	return render(c, fiber.StatusOK, views.AdminNewUser(h.Page(c, "Create a user", "admin-users"), emptyForm(), roleOptions(string(accounts.RoleStaff)), permOptions(nil)))
}

// AdminNewUser creates any kind of user.
func (h *Handler) AdminNewUser(c fiber.Ctx) error {
	f := form(c, "name", "email", "role", "account_id")
	perms := formMulti(c, "permissions")
	var acct int64
	if s := f.V("account_id"); s != "" {
		var err error
		if acct, err = strconv.ParseInt(s, 10, 64); err != nil {
			f.Errors["account_id"] = "Enter the account's number."
			return render(c, fiber.StatusUnprocessableEntity, views.AdminNewUser(h.Page(c, "Create a user", "admin-users"), f, roleOptions(f.V("role")), permOptions(perms)))
		}
	}
	_, err := h.d.Accounts.CreateUser(c.Context(), *Actor(c), accounts.CreateInput{
		Email: f.V("email"), Name: f.V("name"), Role: f.V("role"), Password: c.FormValue("password"), AccountID: acct, Permissions: perms,
	})
	if err != nil {
		if formError(&f, err) {
			return render(c, fiber.StatusUnprocessableEntity, views.AdminNewUser(h.Page(c, "Create a user", "admin-users"), f, roleOptions(f.V("role")), permOptions(perms)))
		}
		return err
	}
	return h.redirectWith(c, "/admin/users", "User created.")
}
