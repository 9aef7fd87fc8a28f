package web

import "github.com/gofiber/fiber/v3"

// meteringRoutes: meters, funds, purchases, certificates and tamper alerts.
func (s *Server) meteringRoutes(app *fiber.App, pages, in, api fiber.Router) {
	_, _, _, _ = app, pages, in, api
}
