// Package postage owns buying postage: it resolves the meter that pays and
// its funding, cleanses each recipient, checks it against the change-of-address
// matches, rates the piece and buys (prepaid or trickle, through the buyer).
// Pages, the API and jobs buy only through it, so a purchase follows the
// same rules whichever door it came in by.
package postage

// Deps are the collaborators of the service; Moves, Funding, CostCodes and
// ShipFrom may be nil (no change-of-address lists, no card funding, no cost
// codes, the account's own return address).
type Deps struct {
	Meters    Meters
	Funding   Funding
	Buyer     Buyer
	Cleanser  Cleanser
	Moves     MoveFinder
	Rater     Rater
	CostCodes CostCodes
	ShipFrom  ShipFrom
	// Defaults, when set, answers a piece naming no cost code and no
	// ship-from address in one query; it must agree with CostCodes and ShipFrom.
	Defaults OrderDefaults
}

// Service buys postage.
type Service struct {
	d Deps
}

// New builds the service.
func New(d Deps) *Service { return &Service{d: d} }
