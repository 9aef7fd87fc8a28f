package web

import (
	"strings"

	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/fiber/v3/middleware/adaptor"

	"indicia/accounts"
	"indicia/payments"
)

// paymentPublicRoutes are the routes outside sessions and CSRF: Stripe's
// webhook (authenticated by its signature) and, without a secret key only,
// the Stripe stand-in that serve and worker share.
func (s *Server) paymentPublicRoutes(app *fiber.App) {
	h := s.h
	app.Post("/stripe/webhook", h.StripeWebhook)
	if stub := s.opt.StripeStub; stub != nil {
		app.All(payments.StubPath+"/*", adaptor.HTTPHandler(stub))
	}
}

// paymentRoutes: billing (card on file, funding, top-ups), receipts and the
// post's settlement.
func (s *Server) paymentRoutes(app *fiber.App, pages, in, api fiber.Router) {
	h := s.h
	_, _, _ = app, pages, api
	billing := in.Group("/billing", allow(accounts.RoleOwner, accounts.RoleUser))
	billing.Get("", h.Billing)
	billing.Get("/stripe.js", h.StripeJS)
	billing.Get("/receipts/:id", h.Receipt)
	billing.Get("/receipts/:id/pdf", h.ReceiptPDF)
	owner := allow(accounts.RoleOwner)
	billing.Post("/card", owner, h.SaveCard)
	billing.Post("/card/remove", owner, h.RemoveCard)
	billing.Get("/card/new", owner, h.ShowCardSetup)
	billing.Get("/card/done", owner, h.CardSetupDone)
	billing.Post("/meters/:id/funding", owner, h.SetFunding)
	billing.Post("/meters/:id/topup", owner, h.TopUp)

	post := in.Group("/postal/settlement", allow(accounts.RoleStaff, accounts.RoleAdmin))
	post.Get("", h.Settlement)
	post.Get("/:day/csv", h.SettlementCSV)
	post.Post("", allow(accounts.RoleAdmin), h.RunSettlement)
	post.Post("/alerts/:id/resolve", allow(accounts.RoleAdmin), h.ResolvePaymentAlert)
}

// withStripe widens the content security policy for Stripe's Payment Element.
func withStripe(csp string) string {
	csp = strings.Replace(csp, "script-src 'self'", "script-src 'self' https://js.stripe.com", 1)
	return csp + "; frame-src https://js.stripe.com https://hooks.stripe.com; connect-src 'self' https://api.stripe.com"
}
