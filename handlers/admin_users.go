package handlers

import (
	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/views"
	"indicia/web/request"
)

// AdminUsers lists every user for a vendor admin.
func (h *Handler) AdminUsers(c fiber.Ctx) error {
	u := request.Actor(c)
	users, err := h.d.Accounts.ListUsers(c.Context(), *u, 0)
	if err != nil {
		return err
	}
	ids := make([]int64, len(users))
	for i, x := range users {
		ids[i] = x.AccountID
	}
	labels, err := h.accountLabels(c.Context(), *u, ids)
	if err != nil {
		return err
	}
	rows := userRows(*u, users)
	for i, x := range users {
		rows[i].Account = labels[x.AccountID]
	}
	return render(c, fiber.StatusOK, views.AdminUsers(h.Page(c, "All users", "admin-users"), rows))
}

// ShowAdminNewUser renders the admin's create-user form.
func (h *Handler) ShowAdminNewUser(c fiber.Ctx) error {
	return render(c, fiber.StatusOK, views.AdminNewUser(h.Page(c, "Create a user", "admin-users"), emptyForm(), roleOptions(string(accounts.RoleStaff)), permOptions(nil)))
}

// AdminNewUser creates any kind of user; a mailer's master account is named
// by its customer ID.
func (h *Handler) AdminNewUser(c fiber.Ctx) error {
	f := form(c, "name", "email", "role", "customer_id")
	perms := formMulti(c, "permissions")
	invalid := func() error {
		return render(c, fiber.StatusUnprocessableEntity, views.AdminNewUser(h.Page(c, "Create a user", "admin-users"), f, roleOptions(f.V("role")), permOptions(perms)))
	}
	var acct int64
	if s := f.V("customer_id"); s != "" {
		a, err := h.accountByCustomerID(c, s)
		if err != nil {
			if formError(&f, err) {
				return invalid()
			}
			return err
		}
		acct = a.ID
	}
	_, err := h.d.Accounts.CreateUser(c.Context(), *request.Actor(c), accounts.CreateInput{
		Email: f.V("email"), Name: f.V("name"), Role: f.V("role"), Password: c.FormValue("password"), AccountID: acct, Permissions: perms,
	})
	if err != nil {
		if formError(&f, err) {
			// The domain names the account it stores; the form asks for the customer ID.
			if _, ok := f.Errors["account_id"]; ok {
				delete(f.Errors, "account_id")
				f.Errors["customer_id"] = "A mailer user belongs to a master account: enter its customer ID, like 100001."
			}
			return invalid()
		}
		return err
	}
	return h.redirectWith(c, "/admin/users", "User created.")
}
