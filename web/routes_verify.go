package web

import (
	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
)

// verifyRoutes: indicium verification for postal staff (page, API, their API
// keys) and voiding labels for mailers.
func (s *Server) verifyRoutes(pages, in, api fiber.Router) {
	h := s.h
	_ = pages
	verifier := allow(accounts.RoleStaff, accounts.RoleAdmin)
	api.Post("/indicia/verify", verifier, h.APIVerify)
	api.Post("/labels/:id/void", h.APIVoidLabel)

	in.Get("/verify", verifier, h.ShowVerify)
	in.Post("/verify", verifier, h.Verify)
	in.Get("/verify/keys", verifier, h.StaffAPIKeys)
	in.Post("/verify/keys", verifier, h.CreateStaffAPIKey)
	in.Post("/verify/keys/:id/revoke", verifier, h.RevokeStaffAPIKey)

	mailer, buyer := allow(accounts.RoleOwner, accounts.RoleUser), can(accounts.PermBuyPostage)
	in.Get("/labels/:label_id/void", mailer, buyer, h.ShowVoidLabel)
	in.Post("/labels/:label_id/void", mailer, buyer, h.VoidLabel)
}
