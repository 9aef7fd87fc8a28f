package web

import "github.com/gofiber/fiber/v3"

// hygieneRoutes: address checks, the address book and batch cleansing (issue 6).
func (s *Server) hygieneRoutes(pages, in, api fiber.Router) {
	_, _, _ = pages, in, api
}
