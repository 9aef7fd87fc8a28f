package postage

import (
	"indicia/accounts"
	"indicia/hygiene/address"
	"indicia/hygiene/coa"
	"indicia/metering"
	"indicia/metering/rating"
)

// Recipient is an address as the buyer typed it, before cleansing.
type Recipient struct {
	Name    string
	Company string
	Address string
	// Country is the destination country (ISO 3166-1 alpha-2); "" or "US"
	// is a US address, cleansed; any other keeps its own format.
	Country string
}

// Piece is one piece to buy postage for.
type Piece struct {
	Recipient Recipient
	// Rated prices the piece from the rate tables (Spec describes it); a
	// Postage sent as well must be that price. Otherwise Postage is a
	// metered amount the buyer chose.
	Rated   bool
	Spec    rating.Piece // class, date, services, origin (as given), and for rating the weight and sizes
	Postage int64
	// DestZIP, when given, must be the cleansed recipient's ZIP (with or
	// without ZIP+4); empty takes the cleansed ZIP+4.
	DestZIP string
	// AcceptMoved buys to this address even though the recipient has moved.
	AcceptMoved bool
	// CostCode names the account's cost code the piece is charged to (its
	// code, or its name), empty for none.
	CostCode string
	// Reference is the mailer's own reference, printed on the label.
	Reference string
	// ShipFromID names the account's ship-from address the label prints;
	// 0 takes the account's default one (or, with none, its own address).
	ShipFromID int64
}

// Order is one purchase: a single piece or a batch, on one meter.
type Order struct {
	// Meter pays; when it is zero, MeterSerial names it, else the account's
	// default meter pays (looked up here only when a piece needs its origin).
	Meter          metering.Meter
	MeterSerial    string
	Pieces         []Piece
	IdempotencyKey string
	// PriceOnly prices without buying (a page's "Get price"): a piece that
	// names no cost code is priced even where one is required, since the
	// price does not depend on it. Buying such a quote is refused.
	PriceOnly bool
}

// Priced is one piece cleansed and rated, ready to buy.
type Priced struct {
	Request     metering.PieceRequest
	Rated       bool
	Quote       rating.Quote   // the rate, when Rated
	Cleansed    address.Result // the recipient's cleansing
	Moved       *coa.Move      // the recipient moved, per the change-of-address lists
	AcceptMoved bool
	CostCode    accounts.CostCode // the cost code charged; zero for none
}

// Quote is an order priced: what Buy would dispense.
type Quote struct {
	Meter          metering.Meter // zero when the buyer resolves the default meter
	Pieces         []Priced
	IdempotencyKey string
	Total          int64 // postage of all pieces, in cents
	// CardFee is what a trickle-charged meter adds on the card (0 when prepaid).
	CardFee int64
	// PriceOnly: the order asked for a price only (see Order.PriceOnly).
	PriceOnly bool
}
