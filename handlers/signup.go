package handlers

import (
	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/hygiene/address"
	"indicia/views"
)

var signUpFields = []string{"name", "company", "email", "address_line1", "address_line2", "city", "state", "zip", "zip_choice"}

// ShowSignUp renders the sign-up form.
func (h *Handler) ShowSignUp(c fiber.Ctx) error {
	return render(c, fiber.StatusOK, views.SignUp(h.Page(c, "Sign up", ""), emptyForm(), nil))
}

// SignUp creates the master account, its owner and meter, and emails a
// confirmation link. The answer is the same page when the email already has
// an account (its owner gets an email instead), so the form does not tell
// strangers who has an account.
func (h *Handler) SignUp(c fiber.Ctx) error {
	f := form(c, signUpFields...)
	if z := f.V("zip_choice"); zipChoiceRe.MatchString(z) {
		// A ZIP chosen among the candidates the form offered.
		f.Values["zip"] = z
	}
	delete(f.Values, "zip_choice")
	_, err := h.d.Accounts.SignUpFromWeb(c.Context(), accounts.SignUpInput{
		Name: f.V("name"), Company: f.V("company"), Email: f.V("email"), Password: c.FormValue("password"),
		Address: accounts.Address{Line1: f.V("address_line1"), Line2: f.V("address_line2"), City: f.V("city"), State: f.V("state"), ZIP: f.V("zip")},
	}, c.IP())
	if err != nil {
		if formError(&f, err) {
			return render(c, fiber.StatusUnprocessableEntity, views.SignUp(h.Page(c, "Sign up", ""), f, h.signUpZIPs(f)))
		}
		return err
	}
	// The meter is made when the address is confirmed (verify_email.go),
	// not here: a new and a taken address must cost the same to answer, or
	// the time taken tells which addresses have accounts.
	return render(c, fiber.StatusOK, views.CheckEmail(h.Page(c, "Check your email", ""), "Check your email", f.V("email"),
		"a link to confirm the address and finish signing up; then log in"))
}

// signUpZIPs are the ZIP codes to offer when the address was refused at the
// ZIP with candidates (the cleanser is asked again only on that error).
func (h *Handler) signUpZIPs(f views.Form) []string {
	if f.E("zip") == "" || h.d.Hygiene == nil {
		return nil
	}
	return h.d.Hygiene.Cleanse(address.Fields{Line1: f.V("address_line1"), Line2: f.V("address_line2"), City: f.V("city"),
		State: f.V("state"), ZIP: f.V("zip")}.Text()).CandidateZIPs
}
