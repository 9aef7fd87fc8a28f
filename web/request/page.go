package request

import (
	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/views"
)

// Page builds the layout model for this request: handlers' pages and the
// middleware's error pages share it, so both show the same user and token.
func Page(c fiber.Ctx, title, nav string, testMode bool) views.Page {
	p := views.Page{Title: title, CSRF: CSRFToken(c), TestMode: testMode, Nav: nav}
	if u := Actor(c); u != nil {
		p.User = &views.UserVM{
			Name: u.Name, Email: u.Email, Role: string(u.Role), RoleLabel: u.Role.Label(),
			IsOwner: u.Role == accounts.RoleOwner, IsMailer: u.Role.IsMailer(),
			IsStaff: u.Role == accounts.RoleStaff, IsAdmin: u.Role == accounts.RoleAdmin,
			CanManageUsers:     u.Can(accounts.PermManageUsers),
			CanManageCostCodes: u.Can(accounts.PermManageCostCodes),
			CanReadReports:     u.Can(accounts.PermExportReports) || u.Role == accounts.RoleAdmin,
		}
	}
	p.Flash = takeFlash(c)
	return p
}
