package web

import (
	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
)

// meteringRoutes: meters, funds, purchases, certificates and tamper alerts.
func (s *Server) meteringRoutes(app *fiber.App, pages, in, api fiber.Router) {
	h := s.h
	_, _ = pages, app
	api.Get("/meters", h.APIMeters)
	api.Post("/meters", allow(accounts.RoleAdmin), h.APIManufactureMeter)
	api.Get("/meters/:serial", h.APIMeter)
	api.Post("/meters/:serial/:action", allow(accounts.RoleAdmin), h.APIMeterAction)
	api.Post("/labels", h.APIBuyLabels)
	api.Get("/labels/:id", h.APILabel)

	in.Get("/postal", allow(accounts.RoleStaff, accounts.RoleAdmin), h.PostalReports)
	in.Post("/postal/fraud/:id/resolve", allow(accounts.RoleStaff, accounts.RoleAdmin), h.ResolveFraudSignal)

	admin := in.Group("/admin", allow(accounts.RoleAdmin))
	admin.Get("/meters", h.AdminMeters)
	admin.Post("/meters", h.ManufactureMeter)
	admin.Get("/meters/:id", h.AdminMeter)
	admin.Post("/meters/:id/register", h.RegisterMeter)
	admin.Post("/meters/:id/activate", h.ActivateMeter)
	admin.Post("/meters/:id/suspend", h.SuspendMeter)
	admin.Post("/meters/:id/retire", h.RetireMeter)
	admin.Post("/meters/:id/credit", h.CreditMeter)
	admin.Get("/alerts", h.TamperAlerts)
	admin.Post("/alerts/:id/resolve", h.ResolveAlert)
}
