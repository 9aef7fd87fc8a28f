package postage

import (
	"context"

	"indicia/accounts"
	"indicia/hygiene/address"
	"indicia/hygiene/coa"
	"indicia/metering"
	"indicia/metering/rating"
	"indicia/payments"
)

// Meters finds the meter that pays (metering.Service fits).
type Meters interface {
	MeterBySerial(ctx context.Context, actor accounts.User, serial string) (metering.Meter, error)
	DefaultMeter(ctx context.Context, actor accounts.User) (metering.Meter, error)
	Meters(ctx context.Context, actor accounts.User, accountID int64) ([]metering.Meter, error)
}

// Funding tells how a meter pays and what the card fee is (payments.Service fits).
type Funding interface {
	FundingOf(ctx context.Context, meterID int64) (payments.Funding, error)
	Fee(pieces int) int64
}

// Buyer dispenses a purchase request (payments.Service, which picks prepaid
// or trickle per meter, fits; so does metering.Service.Purchase as a BuyerFunc).
type Buyer interface {
	Buy(ctx context.Context, actor accounts.User, req metering.PurchaseRequest) (metering.Purchase, error)
}

// BuyerFunc adapts a function to Buyer.
type BuyerFunc func(ctx context.Context, actor accounts.User, req metering.PurchaseRequest) (metering.Purchase, error)

// Buy calls f.
func (f BuyerFunc) Buy(ctx context.Context, actor accounts.User, req metering.PurchaseRequest) (metering.Purchase, error) {
	return f(ctx, actor, req)
}

// Cleanser standardizes and validates an address (address.Cleanser fits).
type Cleanser interface {
	Cleanse(text string) address.Result
}

// MoveFinder looks a cleansed recipient up in the change-of-address matches
// (coa.Service fits); nil means no move.
type MoveFinder interface {
	Lookup(ctx context.Context, accountID int64, result address.Result, name string) (*coa.Move, error)
}

// Rater prices one piece in its class (rating.Rater fits).
type Rater interface {
	Rate(p rating.Piece) (rating.Quote, error)
}

// CostCodes resolves the cost code a buyer named, checking the account's
// "required" setting and the buyer's limits (accounts.Service fits). The
// error names field.
type CostCodes interface {
	ResolveCostCode(ctx context.Context, actor accounts.User, field, ref string) (accounts.CostCode, error)
}

// ShipFrom resolves the return address a piece prints: the account's
// address id, or its default for 0; nil lines print the account's own
// address. The error names field (accounts.ReturnAddresses fits).
type ShipFrom interface {
	ShipFrom(ctx context.Context, actor accounts.User, field string, id int64) ([]string, error)
}
