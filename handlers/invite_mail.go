package handlers

import (
	"fmt"
	"log/slog"

	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
)

// mailInvitation emails the invitee their one-time link. It is sent here,
// not from a queued job, because the link is a credential and a job's
// payload is stored; the page still shows the link once, so an invitation
// whose mail fails can be passed on by hand. It returns the notice saying
// which happened.
func (h *Handler) mailInvitation(c fiber.Ctx, inviter, invited accounts.User, link string) string {
	if h.d.Mail == nil {
		return "No mail server is set up: send the link below to " + invited.Email + " yourself."
	}
	body := fmt.Sprintf("Hello %s,\n\n%s (%s) invited you to their Indicia account.\n\nSet your password and sign in here (the link works once, for 7 days):\n%s\n\nIf you did not expect this, ignore this email.\n",
		invited.Name, inviter.Name, inviter.Email, link)
	if err := h.d.Mail(c.Context(), invited.Email, "Your invitation to Indicia", body); err != nil {
		slog.WarnContext(c.Context(), "handlers: invitation email failed", "to", invited.Email, "err", err)
		return "The invitation email to " + invited.Email + " could not be sent: send them the link below yourself."
	}
	return "Invitation emailed to " + invited.Email + "."
}
