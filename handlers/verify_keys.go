package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/views"
	"indicia/web/request"
)

// StaffAPIKeys lists the keys of a postal staff member or vendor admin
// (keys that belong to no account and act with their creator's role).
func (h *Handler) StaffAPIKeys(c fiber.Ctx) error {
	return h.renderStaffKeys(c, fiber.StatusOK, emptyForm(), "")
}

func (h *Handler) renderStaffKeys(c fiber.Ctx, status int, f views.Form, secret string) error {
	keys, err := h.d.Accounts.ListAPIKeys(c.Context(), *request.Actor(c))
	if err != nil {
		return err
	}
	rows := make([]views.StaffKeyRow, 0, len(keys))
	for _, k := range keys {
		r := views.StaffKeyRow{ID: strconv.FormatInt(k.ID, 10), Name: k.Name, Prefix: k.Prefix, Created: k.CreatedAt.UTC().Format("2006-01-02 15:04"),
			LastUsed: "never", Status: "Active", Active: k.RevokedAt == nil}
		if k.LastUsedAt != nil {
			r.LastUsed = k.LastUsedAt.UTC().Format("2006-01-02 15:04")
		}
		if k.RevokedAt != nil {
			r.Status = "Revoked " + k.RevokedAt.UTC().Format("2006-01-02")
		}
		rows = append(rows, r)
	}
	return render(c, status, views.StaffAPIKeys(h.Page(c, "API keys", "staff-keys"), rows, f, secret))
}

// CreateStaffAPIKey makes a key and shows its secret once.
func (h *Handler) CreateStaffAPIKey(c fiber.Ctx) error {
	f := form(c, "name")
	_, secret, err := h.d.Accounts.CreateAPIKey(c.Context(), *request.Actor(c), f.V("name"), nil)
	if err != nil {
		if formError(&f, err) {
			return h.renderStaffKeys(c, fiber.StatusUnprocessableEntity, f, "")
		}
		return err
	}
	return h.renderStaffKeys(c, fiber.StatusOK, emptyForm(), secret)
}

// RevokeStaffAPIKey stops one of the user's keys.
func (h *Handler) RevokeStaffAPIKey(c fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return apperr.NotFound("No such API key.")
	}
	if err := h.d.Accounts.RevokeAPIKey(c.Context(), *request.Actor(c), id); err != nil {
		return err
	}
	return h.redirectWith(c, "/verify/keys", "Key revoked.")
}
