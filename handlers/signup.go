package handlers

import (
	"log/slog"

	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/views"
)

var signUpFields = []string{"name", "company", "email", "address_line1", "address_line2", "city", "state", "zip"}

// ShowSignUp renders the sign-up form.
func (h *Handler) ShowSignUp(c fiber.Ctx) error {
	return render(c, fiber.StatusOK, views.SignUp(h.Page(c, "Sign up", ""), emptyForm()))
}

// SignUp creates the master account and its owner, then logs the owner in.
func (h *Handler) SignUp(c fiber.Ctx) error {
	f := form(c, signUpFields...)
	u, acct, err := h.d.Accounts.SignUp(c.Context(), accounts.SignUpInput{
		Name: f.V("name"), Company: f.V("company"), Email: f.V("email"), Password: c.FormValue("password"),
		Address: accounts.Address{Line1: f.V("address_line1"), Line2: f.V("address_line2"), City: f.V("city"), State: f.V("state"), ZIP: f.V("zip")},
	})
	if err != nil {
		if formError(&f, err) {
			return render(c, fiber.StatusUnprocessableEntity, views.SignUp(h.Page(c, "Sign up", ""), f))
		}
		return err
	}
	if err := h.startSession(c, u.ID); err != nil {
		return err
	}
	// The seed's sign-up ends with an active meter at the account's origin ZIP.
	if _, err := h.d.Metering.Provision(c.Context(), acct.ID, acct.OriginZIP); err != nil {
		slog.ErrorContext(c.Context(), "sign-up: provision meter", "account", acct.ID, "err", err)
		return h.redirectWith(c, "/dashboard", "Welcome to Indicia! Your account is ready; your meter could not be created just now. Please contact support; no postage was charged.")
	}
	return h.redirectWith(c, "/dashboard", "Welcome to Indicia! Your account and your meter are ready.")
}
