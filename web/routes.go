package web

import (
	"github.com/gofiber/fiber/v3/middleware/recover"
	"github.com/gofiber/fiber/v3/middleware/requestid"
	"github.com/gofiber/fiber/v3/middleware/static"

	"indicia/accounts"
	static_files "indicia/static"
)

// routes is the one route table: every URL, its handler and who may reach it.
func (s *Server) routes() {
	h := s.h
	app := s.App
	app.Use(recover.New(), requestid.New(), s.metrics.middleware, logRequests, s.securityHeaders)

	app.Get("/healthz", h.Healthz)
	app.Get("/readyz", h.Readyz)
	app.Get("/metrics", s.metrics.handler)
	// Public: everything a verifier needs to check an indicium offline.
	app.Get("/.well-known/indicia/certs", h.Certs)
	s.paymentPublicRoutes(app)
	app.Use("/static", static.New("", static.Config{FS: static_files.FS, MaxAge: 3600}))

	// JSON API: bearer keys, no cookies, no CSRF.
	api := app.Group("/api/v1", s.apiKey)
	api.Get("/account", h.APIAccount)
	api.Get("/jobs/:id", h.JobStatusJSON)

	// Pages: session, CSRF on every state change.
	pages := app.Group("", s.session, csrf)
	pages.Get("/", h.Home)
	pages.Get("/signup", h.ShowSignUp)
	pages.Post("/signup", h.SignUp)
	pages.Get("/login", h.ShowLogin)
	pages.Post("/login", h.Login)
	pages.Get("/invite/:token", h.ShowAcceptInvite)
	pages.Post("/invite/:token", h.AcceptInvite)

	in := pages.Group("", requireLogin)
	in.Post("/logout", h.Logout)
	in.Get("/dashboard", h.Dashboard)
	in.Get("/account/password", h.ShowChangePassword)
	in.Post("/account/password", h.ChangePassword)
	in.Get("/account/logins", h.LoginHistory)
	in.Get("/jobs/:id", h.JobStatus)
	in.Get("/jobs/:id/status", h.JobStatusJSON)

	mailer := in.Group("/account", allow(accounts.RoleOwner, accounts.RoleUser), can(accounts.PermManageUsers))
	mailer.Get("/users", h.AccountUsers)
	mailer.Post("/users", h.InviteUser)
	mailer.Get("/users/:id", h.ShowEditUser)
	mailer.Post("/users/:id", h.EditUser)
	mailer.Post("/users/:id/disable", h.DisableUser)
	mailer.Post("/users/:id/enable", h.EnableUser)
	mailer.Post("/users/:id/delete", h.DeleteUser)
	mailer.Get("/api-keys", h.APIKeys)
	mailer.Post("/api-keys", h.CreateAPIKey)
	mailer.Post("/api-keys/:id/revoke", h.RevokeAPIKey)

	// Each area adds its routes in its own file, in this order.
	s.meteringRoutes(app, pages, in, api)
	s.hygieneRoutes(pages, in, api)
	s.coaRoutes(pages, in, api)
	s.verifyRoutes(pages, in, api)
	s.labelRoutes(pages, in, api)
	s.paymentRoutes(app, pages, in, api)

	admin := in.Group("/admin", allow(accounts.RoleAdmin))
	admin.Get("/jobs", h.DeadJobs)
	admin.Post("/jobs/:id/retry", h.RetryJob)
	admin.Get("/users", h.AdminUsers)
	admin.Get("/users/new", h.ShowAdminNewUser)
	admin.Post("/users/new", h.AdminNewUser)
	admin.Get("/users/:id", h.ShowEditUser)
	admin.Post("/users/:id", h.EditUser)
	admin.Post("/users/:id/disable", h.DisableUser)
	admin.Post("/users/:id/enable", h.EnableUser)
	admin.Post("/users/:id/delete", h.DeleteUser)
}
