package web

import (
	"github.com/gofiber/fiber/v3/middleware/recover"
	"github.com/gofiber/fiber/v3/middleware/requestid"
	"github.com/gofiber/fiber/v3/middleware/static"

	"indicia/accounts"
	static_files "indicia/static"
)

// routes is the one route table: every URL, who may reach it and its handler.
//
// Fiber matches in registration order, so static paths come before their
// /:id siblings. Every group has a path prefix except the two that wrap all
// pages: a "" group's middleware runs for every route registered after it.
// The guards only keep the wrong roles out early; domain methods check again.
func (s *Server) routes() {
	h := s.h
	app := s.App

	asMailer := allow(accounts.RoleOwner, accounts.RoleUser)
	asPostal := allow(accounts.RoleStaff, accounts.RoleAdmin)
	asAdmin := allow(accounts.RoleAdmin)
	// Labels carry recipients and print as postage: postal staff verify
	// indicia but never read labels or their files.
	asLabelReader := allow(accounts.RoleOwner, accounts.RoleUser, accounts.RoleAdmin)
	canBuy := can(accounts.PermBuyPostage)
	canManageUsers := can(accounts.PermManageUsers)
	canManageFunds := can(accounts.PermManageFunds)
	canManageCostCodes := can(accounts.PermManageCostCodes)

	app.Use(recover.New(), requestid.New(), s.metrics.middleware, logRequests, s.securityHeaders, requestDeadline, limitBody)

	// Probes and metrics.
	get(app, "/healthz", h.Healthz)
	get(app, "/readyz", h.Readyz)
	get(app, "/metrics", s.metricsGuard, s.metrics.handler)
	// Public: everything a verifier needs to check an indicium offline.
	get(app, "/.well-known/indicia/certs", h.Certs)
	get(app, "/.well-known/indicia/revocations", h.Revocations)
	// Outside sessions and CSRF: Stripe's webhook, authenticated by its
	// signature. The test-mode stand-in has its own loopback listener.
	app.Post("/stripe/webhook", h.StripeWebhook)
	app.Use("/static", static.New("", static.Config{FS: static_files.FS, MaxAge: 3600}))

	// JSON API: bearer keys, no cookies, no CSRF.
	api := app.Group("/api/v1", s.apiKey)
	get(api, "/account", h.APIAccount)
	get(api, "/jobs/:id", h.JobStatusJSON)

	// Pages: session, CSRF on every state change.
	pages := app.Group("", s.session, csrf)
	get(pages, "/", h.Home)
	get(pages, "/signup", h.ShowSignUp)
	pages.Post("/signup", h.SignUp)
	get(pages, "/login", h.ShowLogin)
	pages.Post("/login", h.Login)
	get(pages, "/password/forgot", h.ShowForgotPassword)
	pages.Post("/password/forgot", h.ForgotPassword)
	get(pages, "/password/reset/:token", h.ShowResetPassword)
	pages.Post("/password/reset/:token", h.ResetPassword)
	get(pages, "/verify-email/:token", h.VerifyEmailLink)
	get(pages, "/invite/:token", h.ShowAcceptInvite)
	pages.Post("/invite/:token", h.AcceptInvite)

	// Logged in: the user's own account and jobs.
	in := pages.Group("", requireLogin)
	in.Post("/logout", h.Logout)
	get(in, "/dashboard", h.Dashboard)
	get(in, "/account/password", h.ShowChangePassword)
	in.Post("/account/password", h.ChangePassword)
	get(in, "/account/logins", h.LoginHistory)
	get(in, "/account/verify-email", h.ShowVerifyEmail)
	in.Post("/account/verify-email", h.SendVerifyEmail)
	get(in, "/jobs/:id", h.JobStatus)
	get(in, "/jobs/:id/status", h.JobStatusJSON)

	// Cost codes: the owner (or a holder of "Manage cost codes") defines
	// them; every user of the account reads them through the API (the
	// purchase page offers the allowed ones). Registered before the
	// "/account" group, whose guard needs "Manage users".
	costCodes := in.Group("/account/cost-codes", asMailer, canManageCostCodes)
	get(costCodes, "", h.CostCodes)
	costCodes.Post("", h.CreateCostCode)
	costCodes.Post("/setting", h.SetCostCodeRequired)
	costCodes.Post("/:id", h.UpdateCostCode)
	get(api, "/cost-codes", asMailer, h.APICostCodes)
	api.Post("/cost-codes", canManageCostCodes, h.APICreateCostCode)
	api.Patch("/cost-codes/:id", canManageCostCodes, h.APIUpdateCostCode)

	// Ship-from (return) addresses and package presets: kept by whoever
	// buys postage for the account, read by every user of it.
	shipFrom := in.Group("/account/ship-from", asMailer)
	get(shipFrom, "", h.ShipFrom)
	shipFrom.Post("", canBuy, h.CreateShipFrom)
	get(shipFrom, "/:id", canBuy, h.ShowEditShipFrom)
	shipFrom.Post("/:id", canBuy, h.EditShipFrom)
	shipFrom.Post("/:id/state", canBuy, h.SetShipFromState)
	get(api, "/ship-from-addresses", asMailer, h.APIShipFromList)
	api.Post("/ship-from-addresses", asMailer, canBuy, h.APIShipFromCreate)
	get(api, "/ship-from-addresses/:id", asMailer, h.APIShipFromGet)
	api.Patch("/ship-from-addresses/:id", asMailer, canBuy, h.APIShipFromUpdate)
	presets := in.Group("/account/presets", asMailer)
	get(presets, "", h.Presets)
	presets.Post("", canBuy, h.CreatePreset)
	presets.Post("/:id/delete", canBuy, h.DeletePreset)
	get(api, "/presets", asMailer, h.APIPresets)
	api.Post("/presets", asMailer, canBuy, h.APICreatePreset)
	get(api, "/presets/:id", asMailer, h.APIPreset)
	api.Patch("/presets/:id", asMailer, canBuy, h.APIUpdatePreset)
	api.Delete("/presets/:id", asMailer, canBuy, h.APIDeletePreset)

	// A mailer account's users and API keys.
	users := in.Group("/account", asMailer, canManageUsers)
	get(users, "/users", h.AccountUsers)
	users.Post("/users", h.InviteUser)
	get(users, "/users/:id", h.ShowEditUser)
	users.Post("/users/:id", h.EditUser)
	get(users, "/users/:id/disable", h.ShowDisableUser)
	users.Post("/users/:id/disable", h.DisableUser)
	users.Post("/users/:id/enable", h.EnableUser)
	users.Post("/users/:id/delete", h.DeleteUser)
	get(users, "/api-keys", h.APIKeys)
	users.Post("/api-keys", h.CreateAPIKey)
	users.Post("/api-keys/:id/revoke", h.RevokeAPIKey)

	// Metering: meters, purchases by API, postal reports, meter
	// administration, tamper alerts and login chain alerts.
	get(api, "/meters", h.APIMeters)
	api.Post("/meters", asAdmin, h.APIManufactureMeter)
	get(api, "/meters/:serial", h.APIMeter)
	api.Post("/meters/:serial/:action", asAdmin, h.APIMeterAction)
	api.Post("/labels", h.APIBuyLabels)
	api.Post("/labels/preview", asMailer, h.APIPreviewLabel)
	get(api, "/labels/:id", asLabelReader, h.APILabel)
	get(api, "/charges/:id", asLabelReader, h.APICharge)
	get(in, "/postal", asPostal, h.PostalReports)
	get(in, "/postal/revenue", asPostal, h.PostalRevenue)
	get(in, "/postal/revenue/:format", asPostal, h.PostalRevenueDownload)
	in.Post("/postal/fraud/:id/resolve", asPostal, h.ResolveFraudSignal)
	get(in, "/postal/tracking", asPostal, h.PostalTracking)
	get(api, "/postal/tracking", asPostal, h.APIPostalTracking)
	get(in, "/postal/forecasts", asPostal, h.PostalForecasts)
	get(in, "/postal/forecasts/:scope/:origin", asPostal, h.PostalForecast)
	get(api, "/postal/forecasts", asPostal, h.APIPostalForecasts)
	get(api, "/postal/forecasts/:scope/:origin", asPostal, h.APIPostalForecast)
	get(in, "/postal/origins/:zip", asPostal, h.PostalOrigin)
	get(in, "/postal/meters/:serial", asPostal, h.PostalMeter)
	in.Post("/postal/meters/:serial/fraud/:id/resolve", asPostal, h.ResolveMeterFraudSignal)
	get(api, "/postal/origins/:zip/meters", asPostal, h.APIPostalOrigin)
	get(api, "/postal/meters/:serial", asPostal, h.APIPostalMeter)
	meters := in.Group("/admin", asAdmin)
	get(meters, "/meters", h.AdminMeters)
	meters.Post("/meters", h.ManufactureMeter)
	get(meters, "/meters/:id", h.AdminMeter)
	meters.Post("/meters/:id/register", h.RegisterMeter)
	meters.Post("/meters/:id/activate", h.ActivateMeter)
	meters.Post("/meters/:id/suspend", h.SuspendMeter)
	meters.Post("/meters/:id/retire", h.RetireMeter)
	meters.Post("/meters/:id/credit", h.CreditMeter)
	get(meters, "/alerts", h.TamperAlerts)
	meters.Post("/alerts/:id/resolve", h.ResolveAlert)
	get(meters, "/login-alerts", h.LoginChainAlerts)
	meters.Post("/login-alerts/:id/resolve", h.ResolveLoginChainAlert)

	// Address hygiene: checks, the address book and batch cleansing. Every
	// user of a mailer account reads the book and cleanses lists; editing the
	// book needs buy_postage (checked in the address book).
	api.Post("/addresses/verify", h.VerifyAddressAPI)
	// The address book by API (no group: a "/addresses" group's guard would
	// also cover /verify above).
	get(api, "/addresses", asMailer, h.APIAddresses)
	api.Post("/addresses", asMailer, h.APICreateAddress)
	api.Post("/addresses/import", asMailer, h.APIImportAddresses)
	get(api, "/addresses/:id", asMailer, h.APIAddress)
	api.Patch("/addresses/:id", asMailer, h.APIUpdateAddress)
	api.Delete("/addresses/:id", asMailer, h.APIDeleteAddress)
	get(api, "/address-groups", asMailer, h.APIAddressGroups)
	api.Post("/address-groups", asMailer, h.APICreateAddressGroup)
	get(api, "/address-groups/:id", asMailer, h.APIAddressGroup)
	api.Patch("/address-groups/:id", asMailer, h.APIUpdateAddressGroup)
	api.Delete("/address-groups/:id", asMailer, h.APIDeleteAddressGroup)
	book := in.Group("/addresses", asMailer)
	book.Post("/check", h.CheckAddress)
	get(book, "", h.Addresses)
	book.Post("", h.CreateAddress)
	get(book, "/new", h.ShowNewAddress)
	get(book, "/export", h.ExportAddresses)
	get(book, "/template.csv", h.AddressBookTemplate)
	book.Post("/import", h.ImportAddresses)
	// Saved groups, before "/:id" so "groups" is not taken for an entry.
	book.Post("/groups", h.CreateAddressGroup)
	book.Post("/groups/add", h.AddToAddressGroup)
	get(book, "/groups/:id", h.AddressGroup)
	book.Post("/groups/:id", h.UpdateAddressGroup)
	book.Post("/groups/:id/delete", h.DeleteAddressGroup)
	get(book, "/:id", h.ShowAddress)
	book.Post("/:id", h.UpdateAddress)
	book.Post("/:id/delete", h.DeleteAddress)
	cleanse := in.Group("/cleanse", asMailer)
	get(cleanse, "", h.ShowCleanse)
	get(cleanse, "/template.csv", h.CleanseTemplate)
	cleanse.Post("", h.UploadCleanse)
	get(cleanse, "/:id", h.CleanseResult)
	get(cleanse, "/:id/download", h.DownloadCleanse)

	// Change of address: postal staff (and vendor admins) upload and manage
	// lists; mailers see and decide the moves found in their own address book
	// (deciding needs buy_postage, checked in the COA service).
	get(api, "/coa/matches", h.APICOAMatches)
	api.Post("/coa/matches/accept", h.APIAcceptCOAMatches)
	api.Post("/coa/matches/dismiss", h.APIDismissCOAMatches)
	api.Post("/coa/matches/:id/accept", h.APIAcceptCOAMatch)
	api.Post("/coa/matches/:id/dismiss", h.APIDismissCOAMatch)
	api.Post("/coa/lists", asPostal, h.APIUploadCOAList)
	get(api, "/coa/lists/:id", asPostal, h.APICOAList)
	lists := in.Group("/coa/lists", asPostal)
	get(lists, "", h.ShowCOALists)
	get(lists, "/template.csv", h.COAListTemplate)
	lists.Post("", h.UploadCOAList)
	get(lists, "/:id", h.ShowCOAList)
	lists.Post("/:id/withdraw", h.WithdrawCOAList)
	moves := in.Group("/coa", asMailer)
	get(moves, "", h.COAMatches)
	get(moves, "/export", h.ExportCOAMatches)
	moves.Post("/matches/bulk", h.BulkCOAMatches)
	moves.Post("/matches/:id/accept", h.AcceptCOAMatch)
	moves.Post("/matches/:id/dismiss", h.DismissCOAMatch)

	// Verification: indicium checks for postal staff (page, API, their API
	// keys); mailers void their labels.
	api.Post("/indicia/verify", asPostal, h.APIVerify)
	api.Post("/labels/:id/void", asLabelReader, h.APIVoidLabel)
	get(in, "/verify", asPostal, h.ShowVerify)
	in.Post("/verify", asPostal, h.Verify)
	get(in, "/verify/keys", asPostal, h.StaffAPIKeys)
	in.Post("/verify/keys", asPostal, h.CreateStaffAPIKey)
	in.Post("/verify/keys/:id/revoke", asPostal, h.RevokeStaffAPIKey)
	get(in, "/labels/:label_id/void", asMailer, canBuy, h.ShowVoidLabel)
	in.Post("/labels/:label_id/void", asMailer, canBuy, h.VoidLabel)

	// Labels: rating, buying postage and printing. Mailers rate and see their
	// account's labels; buying needs buy_postage.
	api.Post("/rates", h.APIRates)
	get(api, "/labels", asMailer, h.APIListLabels)
	get(api, "/labels/:id/file", asLabelReader, h.APILabelFile)
	get(api, "/purchases/:id/file", asLabelReader, h.APIPurchaseFile)
	get(in, "/rates", asMailer, h.Rates)
	postage := in.Group("/postage", asMailer, canBuy)
	get(postage, "", h.ShowPurchase)
	postage.Post("", h.BuyPostage)
	postage.Post("/quote", h.PurchaseQuote)
	get(postage, "/batch", h.ShowBatch)
	postage.Post("/batch", h.Batch)
	get(postage, "/batch/template.csv", h.BatchTemplate)
	labels := in.Group("/labels", asMailer)
	get(labels, "", h.LabelHistory)
	labels.Post("/bulk", h.LabelsBulk)
	get(labels, "/l/:file", h.LabelFile)
	get(labels, "/:id", h.PurchaseLabels)
	get(labels, "/:id/print", h.PrintLabels)
	get(labels, "/:id/label.pdf", h.PurchasePDF)
	get(labels, "/:id/label.png", h.PurchasePNG)
	get(labels, "/:id/label.zpl", h.PurchaseZPL)

	// Payments: billing (card on file, funding, top-ups; changing them needs
	// "Manage funds", which owners always have), receipts, and the post's
	// settlement.
	billing := in.Group("/billing", asMailer)
	get(billing, "", h.Billing)
	get(billing, "/stripe.js", h.StripeJS)
	get(billing, "/receipts/:id", h.Receipt)
	get(billing, "/receipts/:id/pdf", h.ReceiptPDF)
	billing.Post("/card", canManageFunds, h.SaveCard)
	billing.Post("/card/remove", canManageFunds, h.RemoveCard)
	get(billing, "/card/new", canManageFunds, h.ShowCardSetup)
	get(billing, "/card/done", canManageFunds, h.CardSetupDone)
	billing.Post("/meters/:id/funding", canManageFunds, h.SetFunding)
	billing.Post("/meters/:id/topup", canManageFunds, h.TopUp)
	settlement := in.Group("/postal/settlement", asPostal)
	get(settlement, "", h.Settlement)
	get(settlement, "/:day/csv", h.SettlementCSV)
	settlement.Post("", asAdmin, h.RunSettlement)
	settlement.Post("/alerts/:id/resolve", asAdmin, h.ResolvePaymentAlert)

	// Reports: owners, users holding "Export reports" (API keys with that
	// scope) and vendor admins, who read every account; postal staff keep
	// their volumes on /postal.
	asReportReader := allow(accounts.RoleOwner, accounts.RoleUser, accounts.RoleAdmin)
	get(api, "/reports/:kind", asReportReader, canReadReports, h.APIReport)
	reportPages := in.Group("/reports", asReportReader, canReadReports)
	get(api, "/statements", asReportReader, canReadReports, h.APIStatements)
	get(api, "/statements/:id", asReportReader, canReadReports, h.APIStatement)
	get(reportPages, "", h.Reports)
	reportPages.Post("/statement-emails", allow(accounts.RoleUser), h.SetStatementEmails)
	get(reportPages, "/statements/:id/:format", h.StatementFile)
	get(reportPages, "/:kind/:format", h.ReportDownload)

	// Vendor administration: failed jobs and every user.
	admin := in.Group("/admin", asAdmin)
	get(admin, "", h.AdminHome)
	get(admin, "/jobs", h.DeadJobs)
	admin.Post("/jobs/:id/retry", h.RetryJob)
	get(admin, "/users", h.AdminUsers)
	get(admin, "/users/new", h.ShowAdminNewUser)
	admin.Post("/users/new", h.AdminNewUser)
	get(admin, "/users/:id", h.ShowEditUser)
	admin.Post("/users/:id", h.EditUser)
	get(admin, "/users/:id/disable", h.ShowDisableUser)
	admin.Post("/users/:id/disable", h.DisableUser)
	admin.Post("/users/:id/enable", h.EnableUser)
	admin.Post("/users/:id/delete", h.DeleteUser)
}
