package handlers

import (
	"context"

	"indicia/accounts"
	"indicia/hygiene/address"
	"indicia/hygiene/addressbook"
	"indicia/hygiene/coa"
	"indicia/jobs"
	"indicia/metering"
	"indicia/metering/rating"
	"indicia/payments"
	"indicia/postage"
	"indicia/presets"
	"indicia/reports"
)

// Check is one readiness probe (PostgreSQL, Redis, the box).
type Check struct {
	Name string
	Fn   func(context.Context) error
	// Detail, when set, is reported as "<name>_status" beside a passing
	// check (nil: nothing to add).
	Detail func(context.Context) any
	// Report, when set, is shown under Name instead of "ok" or "down" (the
	// box cluster's members, leader and lag); Fn still decides the status.
	Report func(context.Context) any
}

// Deps are what handlers need.
type Deps struct {
	Accounts *accounts.Service
	Jobs     *jobs.Queue
	Metering *metering.Service
	// Rater prices pieces from the signed rate tables (rates, purchases).
	Rater *rating.Rater
	// Certs returns the vendor root certificate (PEM) for /.well-known/indicia/certs.
	RootCert     func(context.Context) ([]byte, error)
	BaseURL      string
	SecureCookie bool
	TestMode     bool
	Checks       []Check
	// Address hygiene: the live check and API (Hygiene), the address book
	// (Addresses) and batch cleansing uploads (Batches).
	Hygiene   *address.Cleanser
	Addresses *addressbook.Book
	Batches   *addressbook.Batches
	// COA is the change-of-address service; UploadDir holds uploaded lists
	// until their import job has read them.
	COA       *coa.Service
	UploadDir string
	// Payments is card funding (billing, trickle purchases, webhooks,
	// settlement).
	Payments *payments.Service
	// Postage is the one way pages and the API buy postage.
	Postage *postage.Service
	// Mail sends one email (invitations) with one attempt, never queued: the
	// invitation link is a credential. Nil when no mail server is set up.
	Mail func(ctx context.Context, to, subject, body string) error
	// Reports reads the account reports (register, summary, funding, refunds).
	Reports *reports.Service
	// ReturnAddresses are the accounts' ship-from addresses (nil without
	// address cleansing); Presets their saved package presets.
	ReturnAddresses *accounts.ReturnAddresses
	Presets         *presets.Service
}

// Handler serves every page and API route.
type Handler struct {
	d Deps
}

// New builds the handler.
func New(d Deps) *Handler { return &Handler{d: d} }
