package web

import (
	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
)

// labelRoutes: rating, buying postage and printing labels (issue 4).
// Mailers rate and see their account's labels; buying needs buy_postage.
// Groups have a path prefix: a "" group's middleware would run for every route.
func (s *Server) labelRoutes(pages, in, api fiber.Router) {
	h := s.h
	_ = pages
	api.Post("/rates", h.APIRates)
	api.Get("/labels/:id/file", h.APILabelFile)
	api.Get("/purchases/:id/file", h.APIPurchaseFile)

	mailer := allow(accounts.RoleOwner, accounts.RoleUser)
	in.Get("/rates", mailer, h.Rates)

	postage := in.Group("/postage", mailer, can(accounts.PermBuyPostage))
	postage.Get("", h.ShowPurchase)
	postage.Post("", h.BuyPostage)
	postage.Post("/quote", h.PurchaseQuote)

	labels := in.Group("/labels", mailer)
	labels.Get("", h.LabelHistory)
	// Static paths before /labels/:id.
	labels.Get("/l/:file", h.LabelFile)
	labels.Get("/:id", h.PurchaseLabels)
	labels.Get("/:id/print", h.PrintLabels)
	labels.Get("/:id/label.pdf", h.PurchasePDF)
	labels.Get("/:id/label.png", h.PurchasePNG)
	labels.Get("/:id/label.zpl", h.PurchaseZPL)
}
