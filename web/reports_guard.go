package web

import (
	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/reports"
	"indicia/web/request"
)

// canReadReports lets through owners, users holding "Export reports" and
// vendor admins; the reports service checks again.
func canReadReports(c fiber.Ctx) error {
	u := request.Actor(c)
	if u == nil {
		return apperr.Unauthorized("Please log in first.")
	}
	if !reports.CanRead(*u) {
		return apperr.Forbidden("You do not have the \"" + accounts.PermExportReports.Label() + "\" permission.")
	}
	return c.Next()
}
