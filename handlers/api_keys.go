package handlers

import (
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/views"
	"indicia/web/request"
)

func (h *Handler) renderAPIKeys(c fiber.Ctx, status int, f views.Form, selected []string, secret string) error {
	keys, err := h.d.Accounts.ListAPIKeys(c.Context(), *request.Actor(c))
	if err != nil {
		return err
	}
	rows := make([]views.KeyRow, 0, len(keys))
	for _, k := range keys {
		var scopes []string
		for _, s := range k.Scopes {
			scopes = append(scopes, s.Label())
		}
		r := views.KeyRow{ID: strconv.FormatInt(k.ID, 10), Name: k.Name, Prefix: k.Prefix, Scopes: strings.Join(scopes, ", "),
			Created: k.CreatedAt.UTC().Format("2006-01-02 15:04"), LastUsed: "never", Status: "Active", Active: k.RevokedAt == nil}
		if k.LastUsedAt != nil {
			r.LastUsed = k.LastUsedAt.UTC().Format("2006-01-02 15:04")
		}
		if k.RevokedAt != nil {
			r.Status = "Revoked " + k.RevokedAt.UTC().Format("2006-01-02")
		}
		rows = append(rows, r)
	}
	var opts []views.Option
	for _, p := range accounts.Permissions {
		if request.Actor(c).Can(p) {
			opts = append(opts, views.Option{Value: string(p), Label: p.Label(), Selected: slices.Contains(selected, string(p))})
		}
	}
	return render(c, status, views.APIKeys(h.Page(c, "API keys", "keys"), rows, f, opts, secret))
}

// APIKeys lists the account's keys with the create form.
func (h *Handler) APIKeys(c fiber.Ctx) error {
	return h.renderAPIKeys(c, fiber.StatusOK, emptyForm(), []string{string(accounts.PermBuyPostage)}, "")
}

// CreateAPIKey makes a key and shows its secret once (no redirect: the secret must not travel in a cookie).
func (h *Handler) CreateAPIKey(c fiber.Ctx) error {
	f := form(c, "name")
	scopes := formMulti(c, "scopes")
	_, secret, err := h.d.Accounts.CreateAPIKey(c.Context(), *request.Actor(c), f.V("name"), scopes)
	if err != nil {
		if formError(&f, err) {
			return h.renderAPIKeys(c, fiber.StatusUnprocessableEntity, f, scopes, "")
		}
		return err
	}
	return h.renderAPIKeys(c, fiber.StatusOK, emptyForm(), nil, secret)
}

// RevokeAPIKey stops a key.
func (h *Handler) RevokeAPIKey(c fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return apperr.NotFound("No such API key.")
	}
	if err := h.d.Accounts.RevokeAPIKey(c.Context(), *request.Actor(c), id); err != nil {
		return err
	}
	return h.redirectWith(c, "/account/api-keys", "Key revoked.")
}
