package handlers

import (
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/views"
)

const flashCookie = "indicia_flash"

// render writes a templ component as the HTML response.
func render(c fiber.Ctx, status int, comp templ.Component) error {
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return comp.Render(c.Context(), c.Response().BodyWriter())
}

// Page builds the layout model for this request.
func (h *Handler) Page(c fiber.Ctx, title, nav string) views.Page {
	p := views.Page{Title: title, CSRF: CSRFToken(c), TestMode: h.d.TestMode, Nav: nav}
	if u := Actor(c); u != nil {
		p.User = &views.UserVM{
			Name: u.Name, Email: u.Email, Role: string(u.Role), RoleLabel: u.Role.Label(),
			IsOwner: u.Role == accounts.RoleOwner, IsMailer: u.Role.IsMailer(),
			IsStaff: u.Role == accounts.RoleStaff, IsAdmin: u.Role == accounts.RoleAdmin,
			CanManageUsers: u.Can(accounts.PermManageUsers),
		}
	}
	if f := c.Cookies(flashCookie); f != "" {
		p.Flash = f
		c.Cookie(&fiber.Cookie{Name: flashCookie, Value: "", Path: "/", Expires: time.Unix(1, 0), HTTPOnly: true, SameSite: "Lax"})
	}
	return p
}

// redirectWith sends the browser to url after a POST, with a one-time message.
func (h *Handler) redirectWith(c fiber.Ctx, url, flash string) error {
	if flash != "" {
		c.Cookie(&fiber.Cookie{Name: flashCookie, Value: flash, Path: "/", HTTPOnly: true, SameSite: "Lax", Secure: h.d.SecureCookie, MaxAge: 60})
	}
	return c.Redirect().Status(fiber.StatusSeeOther).To(url)
}

// form collects the named single values of a submitted form.
func form(c fiber.Ctx, names ...string) views.Form {
	f := views.Form{Values: map[string]string{}, Errors: map[string]string{}}
	for _, n := range names {
		f.Values[n] = strings.TrimSpace(c.FormValue(n))
	}
	return f
}

// formMulti returns every value of a repeated field (checkbox groups).
func formMulti(c fiber.Ctx, name string) []string {
	var out []string
	for _, v := range c.RequestCtx().PostArgs().PeekMulti(name) {
		out = append(out, string(v))
	}
	if mf, err := c.MultipartForm(); err == nil && mf != nil {
		out = append(out, mf.Value[name]...)
	}
	return out
}

// formError turns a validation error into per-field messages on f; it returns
// false for errors that are not about fields (the caller returns those).
func formError(f *views.Form, err error) bool {
	fields, ok := apperr.AsFields(err)
	if !ok {
		return false
	}
	for k, v := range fields {
		f.Errors[k] = v
	}
	return true
}

func emptyForm() views.Form {
	return views.Form{Values: map[string]string{}, Errors: map[string]string{}}
}
