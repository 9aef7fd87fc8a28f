package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/hygiene/coa"
	"indicia/web/request"
)

// APICOAMatches is GET /api/v1/coa/matches?status=pending&offset=&limit=.
func (h *Handler) APICOAMatches(c fiber.Ctx) error {
	status := c.Query("status", coa.MatchPending)
	if !validCOAStatus(status) {
		return apperr.Invalid("status", "status is one of pending, accepted, dismissed, withdrawn, superseded.")
	}
	// Paging mistakes are refused, not quietly replaced by the defaults: a
	// client asking for 1000 rows would otherwise believe it saw them all.
	offset, err := strconv.Atoi(c.Query("offset", "0"))
	if err != nil || offset < 0 {
		return apperr.Invalid("offset", "offset must be a whole number, 0 or more.")
	}
	limit, err := strconv.Atoi(c.Query("limit", "50"))
	if err != nil || limit < 1 || limit > 500 {
		return apperr.Invalid("limit", "limit must be a whole number from 1 to 500.")
	}
	list, total, err := h.d.COA.Matches(c.Context(), *request.Actor(c), status, offset, limit)
	if err != nil {
		return err
	}
	if list == nil {
		list = []coa.COAMatch{}
	}
	return c.JSON(fiber.Map{"matches": list, "total": total})
}

// APIAcceptCOAMatch is POST /api/v1/coa/matches/:id/accept.
func (h *Handler) APIAcceptCOAMatch(c fiber.Ctx) error {
	id, err := matchID(c)
	if err != nil {
		return err
	}
	m, err := h.d.COA.Accept(c.Context(), *request.Actor(c), id)
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
	m, err := h.d.COA.Dismiss(c.Context(), *request.Actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(m)
}
