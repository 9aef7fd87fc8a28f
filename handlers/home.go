package handlers

import (
	"github.com/gofiber/fiber/v3"

	"indicia/views"
	"indicia/web/request"
)

// Home is the landing page; logged-in users go to their dashboard.
func (h *Handler) Home(c fiber.Ctx) error {
	if request.Actor(c) != nil {
		return c.Redirect().Status(fiber.StatusSeeOther).To("/dashboard")
	}
	return render(c, fiber.StatusOK, views.Home(h.Page(c, "Virtual postage meter", "")))
}
