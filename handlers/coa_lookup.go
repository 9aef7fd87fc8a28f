package handlers

import (
	"log/slog"
	"strings"

	"github.com/gofiber/fiber/v3"

	"indicia/hygiene/address"
	"indicia/hygiene/coa"
	"indicia/web/request"
)

// coaMoveJSON is the change-of-address warning added to an address check.
type coaMoveJSON struct {
	Code      coa.MoveCode    `json:"code"`
	Label     string          `json:"label"`
	MoveType  string          `json:"move_type"`
	Effective string          `json:"move_effective_date"`
	New       *address.Fields `json:"new,omitempty"`
	NewZIP4   string          `json:"new_zip4,omitempty"`
	Warning   string          `json:"warning"`
}

// coaWarning looks the checked address and the recipient's name (form or
// query value "name") up in the COA lists for the actor's account. It
// returns nil without a name, for non-mailers, or when nobody moved; a
// failed look-up is logged and not shown (the check itself still answers).
func (h *Handler) coaWarning(c fiber.Ctx, res address.Result) *coaMoveJSON {
	actor := request.Actor(c)
	name := strings.TrimSpace(c.FormValue("name"))
	if name == "" {
		name = strings.TrimSpace(c.Query("name"))
	}
	if h.d.COA == nil || actor == nil || !actor.Role.IsMailer() || name == "" {
		return nil
	}
	mv, err := h.d.COA.Lookup(c.Context(), actor.AccountID, res, name)
	if err != nil {
		slog.Warn("coa: look-up at address check failed", "err", err)
		return nil
	}
	if mv == nil {
		return nil
	}
	out := &coaMoveJSON{Code: mv.Code, Label: mv.Code.Label(), MoveType: mv.MoveType, Effective: mv.Effective.Format("2006-01-02")}
	out.Warning = name + ": " + mv.Code.Label() + " (moved " + out.Effective + ")"
	if mv.Code == coa.CodeNewAddress {
		out.New, out.NewZIP4 = &mv.New, mv.NewZIP4
		out.Warning += ": " + mv.NewOneLine()
	}
	return out
}

// coaBookChanged queues the change-of-address matching of the actor's
// account after its address book changed (an entry saved or a file
// imported). A failure is logged: the next list or change matches again.
func (h *Handler) coaBookChanged(c fiber.Ctx) {
	actor := request.Actor(c)
	if h.d.COA == nil || actor == nil || actor.AccountID == 0 {
		return
	}
	if _, err := h.d.COA.SubmitBookMatch(c.Context(), actor.AccountID); err != nil {
		slog.Warn("coa: queue book matching failed", "account", actor.AccountID, "err", err)
	}
}
