package web

import (
	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
)

// hygieneRoutes: address checks, the address book and batch cleansing (issue 6).
// Every user of a mailer account reads the address book and cleanses lists;
// editing the book needs buy_postage (checked in addressbook.Book too).
// Groups have a path prefix: a "" group's middleware would run for every route.
func (s *Server) hygieneRoutes(pages, in, api fiber.Router) {
	h := s.h
	_ = pages
	api.Post("/addresses/verify", h.VerifyAddressAPI)

	book := in.Group("/addresses", allow(accounts.RoleOwner, accounts.RoleUser))
	// Static paths before /addresses/:id.
	book.Post("/check", h.CheckAddress)
	book.Get("", h.Addresses)
	book.Post("", h.CreateAddress)
	book.Get("/new", h.ShowNewAddress)
	book.Get("/export", h.ExportAddresses)
	book.Post("/import", h.ImportAddresses)
	book.Get("/:id", h.ShowAddress)
	book.Post("/:id", h.UpdateAddress)
	book.Post("/:id/delete", h.DeleteAddress)

	cleanse := in.Group("/cleanse", allow(accounts.RoleOwner, accounts.RoleUser))
	cleanse.Get("", h.ShowCleanse)
	cleanse.Post("", h.UploadCleanse)
	cleanse.Get("/:id", h.CleanseResult)
	cleanse.Get("/:id/download", h.DownloadCleanse)
}
