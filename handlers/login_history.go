package handlers

import (
	"github.com/gofiber/fiber/v3"

	"indicia/views"
	"indicia/web/request"
)

// LoginHistory lists login attempts the actor may see.
func (h *Handler) LoginHistory(c fiber.Ctx) error {
	recs, err := h.d.Accounts.LoginHistory(c.Context(), *request.Actor(c), 200)
	if err != nil {
		return err
	}
	rows := make([]views.LoginRow, 0, len(recs))
	for _, r := range recs {
		result := "Logged in"
		if !r.Success {
			result = map[string]string{"bad_password": "Wrong password or unknown email", "throttled": "Refused: too many attempts", "disabled": "Refused: user disabled"}[r.Reason]
		}
		rows = append(rows, views.LoginRow{At: r.At, Who: r.UserName, Email: r.Email, Result: result, IP: r.IP, UserAgent: r.UserAgent, Success: r.Success})
	}
	return render(c, fiber.StatusOK, views.LoginHistory(h.Page(c, "Login history", "logins"), rows))
}
