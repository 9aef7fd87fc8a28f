package web

import (
	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
)

// coaRoutes: the change-of-address service (issue 7). Postal staff (and
// vendor admins) upload and manage lists; mailers see and decide the moves
// found in their own address book (deciding needs buy_postage, checked in
// coa.Service too).
func (s *Server) coaRoutes(pages, in, api fiber.Router) {
	h := s.h
	_ = pages
	api.Get("/coa/matches", h.APICOAMatches)
	api.Post("/coa/matches/:id/accept", h.APIAcceptCOAMatch)
	api.Post("/coa/matches/:id/dismiss", h.APIDismissCOAMatch)

	lists := in.Group("/coa/lists", allow(accounts.RoleStaff, accounts.RoleAdmin))
	lists.Get("", h.ShowCOALists)
	lists.Post("", h.UploadCOAList)
	lists.Get("/:id", h.ShowCOAList)
	lists.Post("/:id/withdraw", h.WithdrawCOAList)

	moves := in.Group("/coa", allow(accounts.RoleOwner, accounts.RoleUser))
	moves.Get("", h.COAMatches)
	moves.Post("/matches/:id/accept", h.AcceptCOAMatch)
	moves.Post("/matches/:id/dismiss", h.DismissCOAMatch)
}
