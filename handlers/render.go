package handlers

import (
	"strings"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/views"
	"indicia/web/request"
)

// render writes a templ component as the HTML response.
func render(c fiber.Ctx, status int, comp templ.Component) error {
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return comp.Render(c.Context(), c.Response().BodyWriter())
}

// Page builds the layout model for this request.
func (h *Handler) Page(c fiber.Ctx, title, nav string) views.Page {
	return request.Page(c, title, nav, h.d.TestMode)
}

// redirectWith sends the browser to url after a POST, with a one-time message.
func (h *Handler) redirectWith(c fiber.Ctx, url, flash string) error {
	if flash != "" {
		request.SetFlash(c, flash, h.d.SecureCookie)
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
