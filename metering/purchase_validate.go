package metering

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"time"

	"indicia/accounts"
	"indicia/apperr"
)

// validatePurchase checks and normalizes the request, picks the account's
// default meter when it names none, and makes it a pending purchase whose
// hash (of the meter and the pieces) tells a retry from a new request.
func (s *Service) validatePurchase(ctx context.Context, actor accounts.User, req PurchaseRequest) (*pending, error) {
	if err := s.validate(&req); err != nil {
		return nil, err
	}
	if req.MeterID == 0 {
		m, err := s.DefaultMeter(ctx, actor)
		if err != nil {
			return nil, err
		}
		req.MeterID = m.ID
	}
	return &pending{actor: actor, req: req, hash: requestHash(req), done: make(chan struct{}), lead: make(chan struct{})}, nil
}

var destZIPRe = regexp.MustCompile(`^\d{5}(\d{4})?$`)

// mailingWindowDays is how far ahead of the purchase a piece may be dated.
const mailingWindowDays = 30

// validate checks the request's pieces and normalizes them (mailing dates
// default to today).
func (s *Service) validate(req *PurchaseRequest) error {
	// Normalizing below writes to the pieces: on a copy, so that a caller
	// reusing or sharing its request (a retry, concurrent sends) never races.
	req.Pieces = slices.Clone(req.Pieces)
	if len(req.Pieces) == 0 {
		return apperr.Invalid("pieces", "Add at least one piece.")
	}
	if len(req.Pieces) > MaxPieces {
		return apperr.Invalid("pieces", fmt.Sprintf("A purchase holds at most %d pieces; split the batch.", MaxPieces))
	}
	if len(req.IdempotencyKey) > 200 {
		return apperr.Invalid("idempotency_key", "The idempotency key is longer than 200 characters.")
	}
	today := s.now().Truncate(24 * time.Hour)
	for i := range req.Pieces {
		p := &req.Pieces[i]
		field := func(f string) string { return apperr.PieceField(i, len(req.Pieces), f) }
		if p.MailingDate.IsZero() {
			p.MailingDate = today
		}
		p.MailingDate = p.MailingDate.UTC().Truncate(24 * time.Hour)
		switch {
		case p.Postage <= 0:
			return apperr.Invalid(field("postage"), "Postage must be more than $0.00.")
		case p.Postage > 100_000_00:
			return apperr.Invalid(field("postage"), "Postage over $100,000.00 for one piece is refused.")
		case p.Abroad() && !foreignDest(*p):
			return apperr.Invalid(field("recipient.country"), "Enter the destination country as a two-letter ISO code such as CA, and a postal code of at most 10 characters.")
		case !p.Abroad() && !destZIPRe.MatchString(p.DestZIP):
			return apperr.Invalid(field("dest_zip"), "Enter the destination ZIP as 5 digits or ZIP+4 without a hyphen.")
		case p.OriginZIP != "" && !zip5.MatchString(p.OriginZIP):
			return apperr.Invalid(field("origin_zip"), "Enter the origin ZIP as 5 digits.")
		case p.MailingDate.Before(today.AddDate(0, 0, -1)) || p.MailingDate.After(today.AddDate(0, 0, mailingWindowDays)):
			return apperr.Invalid(field("mailing_date"), "The date of mailing must be from yesterday to 30 days ahead.")
		case p.MailClass == "":
			return apperr.Invalid(field("mail_class"), "Choose a mail class.")
		case p.Recipient.Standardized == "":
			return apperr.Invalid(field("recipient"), "Enter the recipient's address.")
		}
	}
	return nil
}

func requestHash(req PurchaseRequest) []byte {
	b, _ := json.Marshal(struct {
		M int64
		P []PieceRequest
	}{req.MeterID, req.Pieces})
	h := sha256.Sum256(b)
	return h[:]
}
