package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/hygiene"
)

// APICOAMatches is GET /api/v1/coa/matches?status=pending&offset=&limit=.
func (h *Handler) APICOAMatches(c fiber.Ctx) error {
	status := c.Query("status", hygiene.MatchPending)
	if !validCOAStatus(status) {
		return apperr.Invalid("status", "status is one of pending, accepted, dismissed, withdrawn, superseded.")
	}
	offset, _ := strconv.Atoi(c.Query("offset", "0"))
	limit, _ := strconv.Atoi(c.Query("limit", "50"))
	if offset < 0 {
		offset = 0
	}
	list, total, err := h.d.COA.Matches(c.Context(), *Actor(c), status, offset, limit)
	if err != nil {
		return err
	}
	if list == nil {
		list = []hygiene.COAMatch{}
	}
	return c.JSON(fiber.Map{"matches": list, "total": total})
}

// APIAcceptCOAMatch is POST /api/v1/coa/matches/:id/accept.
func (h *Handler) APIAcceptCOAMatch(c fiber.Ctx) error {
	id, err := matchID(c)
	if err != nil {
		return err
	}
	m, err := h.d.COA.Accept(c.Context(), *Actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(m)
}

// APIDismissCOAMatch is POST /api/v1/coa/matches/:id/dismiss.
func (h *Handler) APIDismissCOAMatch(c fiber.Ctx) error {
	id, err := matchID(c)
	if err != nil {
		return err
	}
	m, err := h.d.COA.Dismiss(c.Context(), *Actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(m)
}
