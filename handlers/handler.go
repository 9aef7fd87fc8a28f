package handlers

import (
	"context"

	"indicia/accounts"
	"indicia/jobs"
)

// Check is one readiness probe (PostgreSQL, Redis, the box).
type Check struct {
	Name string
	Fn   func(context.Context) error
}

// Deps are what handlers need.
type Deps struct {
	Accounts     *accounts.Service
	Jobs         *jobs.Queue
	BaseURL      string
	SecureCookie bool
	TestMode     bool
	Checks       []Check
}

// Handler serves every page and API route.
type Handler struct {
	d Deps
}

// New builds the handler.
func New(d Deps) *Handler { return &Handler{d: d} }

// Accounts exposes the accounts service to the web middleware.
func (h *Handler) Accounts() *accounts.Service { return h.d.Accounts }
