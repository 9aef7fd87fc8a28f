package metering

import (
	"context"
	"time"

	"indicia/accounts"
	"indicia/metering/box"
)

// Recipient is the addressee as printed on the label; Standardized is the
// address whose hash the indicium carries (seed claim 1).
type Recipient struct {
	Name         string   `json:"name,omitempty"`
	Company      string   `json:"company,omitempty"`
	Lines        []string `json:"lines"`
	Standardized string   `json:"standardized"`
}

// PieceRequest is one piece to buy postage for.
type PieceRequest struct {
	Postage     int64     `json:"postage"`
	MailingDate time.Time `json:"mailing_date"`
	OriginZIP   string    `json:"origin_zip,omitempty"`
	DestZIP     string    `json:"dest_zip"` // abroad: the foreign postal code as printed, possibly empty
	// DestCountry is the destination country (ISO 3166-1 alpha-2); "" is
	// the US. Left out of the JSON when empty so that the request hash of a
	// domestic purchase is what it always was.
	DestCountry string    `json:"dest_country,omitempty"`
	MailClass   string    `json:"mail_class"`
	Services    uint32    `json:"services,omitempty"`
	Recipient   Recipient `json:"recipient"`
	// CostCodeID is the account's cost code the piece is charged to (0: none);
	// the caller (postage) has checked the buyer may charge it.
	CostCodeID int64 `json:"cost_code_id,omitempty"`
	// Reference is the mailer's own reference, printed on the label.
	Reference string `json:"reference,omitempty"`
	// WeightOz is the piece's weight in ounces as given (0: not given).
	WeightOz float64 `json:"weight_oz,omitempty"`
	// ShipFrom is the return address the label prints (nil: the account's
	// own address). Left out of the JSON when empty so that the request
	// hash of a purchase without one is what it always was.
	ShipFrom []string `json:"ship_from,omitempty"`
}

// PurchaseRequest is one purchase: a single piece or a batch.
type PurchaseRequest struct {
	MeterID        int64
	Pieces         []PieceRequest
	IdempotencyKey string
}

// Label is one dispensed piece: the stored indicium and what the label prints.
type Label struct {
	PublicID    string
	MeterID     int64
	Serial      string
	PieceNumber int64
	MailingDate time.Time
	Postage     int64
	OriginZIP   string
	DestZIP     string
	DestCountry string // ISO 3166-1 alpha-2; "US" for a domestic piece
	MailClass   string
	Services    uint32
	Recipient   Recipient
	Indicium    []byte
	Status      string
	CreatedAt   time.Time
	CostCodeID  int64 // 0: none
	Reference   string
	WeightOz    float64 // 0: not given
	// TrackingNumber is the IMpb tracking number (22 digits) of a tracked
	// piece: a package, or any piece with Certified Mail or a signature.
	TrackingNumber string
	// ShipFrom is the return address the label prints; nil prints the
	// account's own address.
	ShipFrom []string
}

// Purchase is the outcome of a purchase request.
type Purchase struct {
	PublicID  string
	MeterID   int64
	Serial    string
	Pieces    int
	Postage   int64
	CreatedAt time.Time
	Labels    []Label
	Replayed  bool // an idempotent retry: the labels of the first request
	// MeterDR is the meter's descending register right after this purchase
	// (0 on a replay): payments decides on auto-refill without another query.
	MeterDR int64
}

// MaxPieces is the most pieces one purchase may carry.
const MaxPieces = box.MaxBatch

// Purchase dispenses postage for one request (pages and API alike), in four
// steps:
//
//  1. authorize: the actor may buy postage at all. It comes first, so a
//     caller without the permission learns nothing, not even a retry's
//     labels (purchase_authorize.go);
//  2. validate: the pieces, and the meter (the account's default when the
//     request names none) (purchase_validate.go);
//  3. replay: a retry with a known idempotency key gets the first request's
//     labels, one with different parameters is a conflict (purchase_replay.go);
//  4. dispense: the request joins its meter's queue; requests that arrive
//     together are coalesced into one group, decided against the locked
//     meter (it is the actor's, keys, funds) and served with one box step
//     and one commit, each request still getting its own purchase and
//     labels (coalesce.go, dispense.go).
func (s *Service) Purchase(ctx context.Context, actor accounts.User, req PurchaseRequest) (Purchase, error) {
	if err := authorizePurchase(actor); err != nil {
		return Purchase{}, err
	}
	p, err := s.validatePurchase(ctx, actor, req)
	if err != nil {
		return Purchase{}, err
	}
	if res, replayed, err := s.replay(ctx, p); replayed || err != nil {
		return res, err
	}
	return s.enqueue(ctx, p)
}
