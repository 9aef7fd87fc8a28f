package postage

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/metering"
	"indicia/metering/rating"
)

// Quote prices an order without buying: every recipient cleansed and looked
// up in the change-of-address matches (a move is reported on its piece, not
// refused), every rated piece priced, and the card fee of a trickle meter.
func (s *Service) Quote(ctx context.Context, u accounts.User, o Order) (Quote, error) {
	q, err := s.price(ctx, u, o)
	if err != nil {
		return q, err
	}
	q.CardFee, err = s.CardFee(ctx, q.Meter.ID, len(q.Pieces))
	return q, err
}

// price resolves the meter and prices each piece; the first piece at fault
// stops it, its error naming the piece's field.
func (s *Service) price(ctx context.Context, u accounts.User, o Order) (Quote, error) {
	if err := checkOrder(o); err != nil {
		return Quote{}, err
	}
	m, err := s.meterFor(ctx, u, o)
	if err != nil {
		return Quote{}, err
	}
	q := Quote{Meter: m, IdempotencyKey: o.IdempotencyKey, Pieces: make([]Priced, 0, len(o.Pieces)), PriceOnly: o.PriceOnly}
	codes := map[string]accounts.CostCode{} // a batch names few codes: resolve each once
	froms := map[int64][]string{}
	if err := s.preloadDefaults(ctx, u, o, codes, froms); err != nil {
		return Quote{}, err
	}
	for i, p := range o.Pieces {
		prefix := apperr.PiecePrefix(i, len(o.Pieces))
		pp, err := s.pricePiece(ctx, u, m, p, prefix)
		if err != nil {
			return q, err
		}
		// A price does not depend on the cost code: a price-only order
		// naming none is priced, and the purchase itself checks the rule.
		if !o.PriceOnly || strings.TrimSpace(p.CostCode) != "" {
			if pp.CostCode, err = s.costCode(ctx, u, codes, prefix+"cost_code", p.CostCode); err != nil {
				return q, err
			}
		}
		pp.Request.CostCodeID, pp.Request.Reference = pp.CostCode.ID, strings.TrimSpace(p.Reference)
		if pp.Request.ShipFrom, err = s.shipFrom(ctx, u, froms, prefix+"ship_from_id", p.ShipFromID); err != nil {
			return q, err
		}
		q.Pieces = append(q.Pieces, pp)
		q.Total += pp.Request.Postage
	}
	return q, nil
}

// pricePiece checks the origin, cleanses the recipient, settles the
// destination ZIP, rates the piece and looks for a move.
func (s *Service) pricePiece(ctx context.Context, u accounts.User, m metering.Meter, p Piece, prefix string) (Priced, error) {
	spec := p.Spec
	if o := spec.OriginZIP; m.ID != 0 && !m.Floating() && isDigits(o, 5) && o != m.Record.OriginZIP {
		return Priced{}, apperr.Invalid(prefix+"origin_zip", fmt.Sprintf("Meter %s mails from ZIP %s; leave origin_zip out or send %s (only a floating meter takes another origin).",
			m.Record.Serial, m.Record.OriginZIP, m.Record.OriginZIP))
	}
	for _, c := range spec.Services {
		if !KnownService(c) {
			return Priced{}, apperr.Invalid(prefix+"services", fmt.Sprintf("Unknown extra service %q.", c))
		}
	}
	if Abroad(p.Recipient.Country) {
		return s.pricePieceAbroad(p, m, prefix)
	}
	rec, res, err := s.cleanse(prefix+"recipient.address", p.Recipient)
	if err != nil {
		return Priced{}, err
	}
	dest := p.DestZIP
	if dest == "" {
		dest = res.ZIP + res.ZIP4
	} else if res.ZIP != "" && !strings.HasPrefix(dest, res.ZIP) {
		return Priced{}, apperr.Invalid(prefix+"dest_zip", fmt.Sprintf("The destination ZIP %s does not match the recipient's address (ZIP %s).", dest, res.ZIP))
	}
	out := Priced{Rated: p.Rated, Cleansed: res, AcceptMoved: p.AcceptMoved,
		Request: metering.PieceRequest{Postage: p.Postage, MailingDate: spec.Date, OriginZIP: spec.OriginZIP, DestZIP: dest,
			MailClass: spec.Class, Services: ServicesMask(spec.Services), Recipient: rec, WeightOz: spec.WeightOz}}
	if p.Rated {
		if out.Quote, err = s.rate(m, spec, dest, p.Postage, prefix); err != nil {
			return Priced{}, err
		}
		out.Request.Postage = out.Quote.TotalCents
	}
	if out.Moved, err = s.moved(ctx, u.AccountID, res, p.Recipient.Name); err != nil {
		return Priced{}, err
	}
	return out, nil
}

// costCode resolves the piece's cost code, remembering each one an order names.
func (s *Service) costCode(ctx context.Context, u accounts.User, seen map[string]accounts.CostCode, field, ref string) (accounts.CostCode, error) {
	if s.d.CostCodes == nil {
		if strings.TrimSpace(ref) != "" {
			return accounts.CostCode{}, apperr.Invalid(field, "This service takes no cost codes.")
		}
		return accounts.CostCode{}, nil
	}
	key := strings.ToLower(strings.TrimSpace(ref))
	if c, ok := seen[key]; ok {
		return c, nil
	}
	c, err := s.d.CostCodes.ResolveCostCode(ctx, u, field, ref)
	if err == nil {
		seen[key] = c
	}
	return c, err
}

// rate prices a piece from the tables, from the meter's origin unless it
// floats; a postage the buyer also sent must be that price.
func (s *Service) rate(m metering.Meter, spec rating.Piece, dest string, postage int64, prefix string) (rating.Quote, error) {
	if spec.OriginZIP == "" {
		if m.Floating() {
			return rating.Quote{}, apperr.Invalid(prefix+"origin_zip", "This meter floats: enter the ZIP of the post office where you mail the piece.")
		}
		spec.OriginZIP = m.Record.OriginZIP
	}
	// A domestic piece goes to a cleansed US recipient; abroad, the country prices it.
	if spec.International() {
		spec.DestZIP = ""
	} else {
		spec.DestZIP, spec.Country = dest[:min(5, len(dest))], ""
	}
	q, err := s.d.Rater.Rate(spec)
	if err != nil {
		return q, RatingError(err, prefix)
	}
	if postage != 0 && postage != q.TotalCents {
		return q, apperr.Invalid(prefix+"postage", fmt.Sprintf("The postage %s differs from the rated price %s; leave postage out to pay the rated price.",
			money(postage), money(q.TotalCents)))
	}
	return q, nil
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// money writes cents as dollars ("$1,234.05"), as the pages do.
func money(cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	d := strconv.FormatInt(cents/100, 10)
	for i := len(d) - 3; i > 0; i -= 3 {
		d = d[:i] + "," + d[i:]
	}
	s := fmt.Sprintf("$%s.%02d", d, cents%100)
	if neg {
		return "-" + s
	}
	return s
}
