package postage

import (
	"context"
	"errors"
	"regexp"
	"strconv"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/metering"
)

// RowQuote is one row of a batch: priced, or refused with its reason.
type RowQuote struct {
	Row    BatchRow
	Priced Priced
	Bad    *BadRow
}

// QuoteBatch prices every row of a batch on meter m on its own, so that one
// bad row (an address that does not cleanse, an unknown cost code, a moved
// recipient) is marked and the others are still priced. Only an error that
// is no row's fault (the database, the meter) stops it.
func (s *Service) QuoteBatch(ctx context.Context, u accounts.User, m metering.Meter, rows []BatchRow) ([]RowQuote, error) {
	out := make([]RowQuote, 0, len(rows))
	codes := map[string]accounts.CostCode{}
	for _, r := range rows {
		rq := RowQuote{Row: r}
		p, rerr := r.Piece.Order()
		if rerr != nil {
			rq.Bad = &BadRow{Line: r.Line, Label: r.Label, Field: rerr.Field, Reason: rerr.Reason}
			out = append(out, rq)
			continue
		}
		pp, err := s.quoteRow(ctx, u, m, p, codes)
		switch ae, ok := apperr.As(err); {
		case err == nil && pp.Moved != nil:
			rq.Bad = &BadRow{Line: r.Line, Label: r.Label, Field: "address",
				Reason: "The recipient has moved (" + pp.Moved.Code.Label() + "); correct the address, or buy this one on the purchase page."}
		case err == nil:
			rq.Priced = pp
		case ok && ae.Kind != apperr.KindInternal && ae.Kind != apperr.KindUnavailable:
			rq.Bad = &BadRow{Line: r.Line, Label: r.Label, Field: ae.Field, Reason: ae.Message}
		default:
			if fields, ok := apperr.AsFields(err); ok {
				for f, msg := range fields {
					rq.Bad = &BadRow{Line: r.Line, Label: r.Label, Field: f, Reason: msg}
				}
				break
			}
			return nil, err
		}
		out = append(out, rq)
	}
	return out, nil
}

// quoteRow prices one piece as an order of its own.
func (s *Service) quoteRow(ctx context.Context, u accounts.User, m metering.Meter, p Piece, codes map[string]accounts.CostCode) (Priced, error) {
	o := Order{Meter: m, Pieces: []Piece{p}}
	if err := checkOrder(o); err != nil {
		return Priced{}, err
	}
	pp, err := s.pricePiece(ctx, u, m, p, "")
	if err != nil {
		return Priced{}, err
	}
	if pp.CostCode, err = s.costCode(ctx, u, codes, "cost_code", p.CostCode); err != nil {
		return Priced{}, err
	}
	pp.Request.CostCodeID, pp.Request.Reference = pp.CostCode.ID, p.Reference
	return pp, nil
}

// BuyBatch buys the rows as ONE purchase on meter m (one card charge on a
// trickle meter) under the idempotency key, so the same batch sent again
// buys nothing twice. A refusal of one row names it (*BatchRowError);
// nothing is bought then.
func (s *Service) BuyBatch(ctx context.Context, u accounts.User, m metering.Meter, rows []BatchRow, key string) (metering.Purchase, error) {
	o := Order{Meter: m, IdempotencyKey: key, Pieces: make([]Piece, len(rows))}
	for i, r := range rows {
		p, rerr := r.Piece.Order()
		if rerr != nil {
			return metering.Purchase{}, &BatchRowError{Row: BadRow{Line: r.Line, Label: r.Label, Field: rerr.Field, Reason: rerr.Reason}}
		}
		o.Pieces[i] = p
	}
	pur, err := s.Buy(ctx, u, o)
	if err == nil {
		return pur, nil
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		if i, field, ok := pieceOf(ae.Field, len(rows)); ok {
			return metering.Purchase{}, &BatchRowError{Row: BadRow{Line: rows[i].Line, Label: rows[i].Label, Field: field, Reason: ae.Message}, Err: err}
		}
	}
	return metering.Purchase{}, err
}

// BatchRowError is a batch refused because of one row; nothing was bought.
type BatchRowError struct {
	Row BadRow
	Err error
}

func (e *BatchRowError) Error() string { return e.Row.Where() + ": " + e.Row.Reason }
func (e *BatchRowError) Unwrap() error { return e.Err }

var pieceField = regexp.MustCompile(`^pieces\[(\d+)\]\.(.+)$`)

// pieceOf reads the piece index out of a purchase's field name; an order of
// one piece names its fields bare.
func pieceOf(field string, n int) (int, string, bool) {
	if n == 1 && field != "" && field != "Idempotency-Key" {
		return 0, field, true
	}
	m := pieceField.FindStringSubmatch(field)
	if m == nil {
		return 0, "", false
	}
	i, err := strconv.Atoi(m[1])
	if err != nil || i >= n {
		return 0, "", false
	}
	return i, m[2], true
}
