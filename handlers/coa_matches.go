package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/hygiene/addressbook"
	"indicia/hygiene/coa"
	"indicia/views"
	"indicia/web/request"
)

var coaStatuses = []views.Option{{Value: coa.MatchPending, Label: "To review"}, {Value: coa.MatchAccepted, Label: "Accepted"},
	{Value: coa.MatchDismissed, Label: "Dismissed"}, {Value: coa.MatchWithdrawn, Label: "Withdrawn"}}

func validCOAStatus(s string) bool {
	for _, o := range coaStatuses {
		if o.Value == s {
			return true
		}
	}
	return s == coa.MatchSuperseded
}

// COAMatches is the mailer's page of recipients who moved.
func (h *Handler) COAMatches(c fiber.Ctx) error {
	status := c.Query("status", coa.MatchPending)
	if !validCOAStatus(status) {
		status = coa.MatchPending
	}
	actor := *request.Actor(c)
	list, total, err := h.d.COA.Matches(c.Context(), actor, status, 0, 200)
	if err != nil {
		return err
	}
	v := views.COAMatchesPage{Status: status, Total: total, CanEdit: addressbook.CanEdit(actor), Statuses: coaStatuses}
	for _, m := range list {
		name := m.Name
		if m.Company != "" {
			if name != "" {
				name += ", "
			}
			name += m.Company
		}
		new := m.NewOneLine()
		if new == "" {
			new = "—"
		}
		move := m.MoveType
		if how := m.NameMatchText(); how != "" {
			move += ", " + how // how the names matched, for the mailer to judge
		}
		v.Matches = append(v.Matches, views.COAMatchVM{ID: strconv.FormatInt(m.ID, 10), Name: name, Old: m.OldOneLine(), New: new,
			MoveType: move, Date: m.Effective.Format("2006-01-02"), Code: m.Code.Label(), Status: m.Status,
			CanAccept: m.CanAccept(), Pending: m.Status == coa.MatchPending})
	}
	return render(c, fiber.StatusOK, views.COAMatchesView(h.Page(c, "Recipients who moved", "coa"), v))
}

func matchID(c fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return 0, apperr.NotFound("No such change of address.")
	}
	return id, nil
}

// AcceptCOAMatch moves the address-book entry to the new address.
func (h *Handler) AcceptCOAMatch(c fiber.Ctx) error {
	id, err := matchID(c)
	if err != nil {
		return err
	}
	m, err := h.d.COA.Accept(c.Context(), *request.Actor(c), id)
	if err != nil {
		return err
	}
	return h.redirectWith(c, "/coa", "Moved "+m.Name+" to "+m.NewOneLine()+".")
}

// DismissCOAMatch hides a match.
func (h *Handler) DismissCOAMatch(c fiber.Ctx) error {
	id, err := matchID(c)
	if err != nil {
		return err
	}
	if _, err := h.d.COA.Dismiss(c.Context(), *request.Actor(c), id); err != nil {
		return err
	}
	return h.redirectWith(c, "/coa", "Dismissed.")
}
