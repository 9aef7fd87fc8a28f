package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/payments"
	"indicia/views"
	"indicia/web/request"
)

type quoteLineJSON struct {
	Description string `json:"description"`
	Amount      string `json:"amount"`
}

type liveQuoteJSON struct {
	ClassName  string          `json:"class_name"`
	Where      string          `json:"where,omitempty"`
	Total      string          `json:"total"`
	TotalCents int64           `json:"total_cents"`
	Lines      []quoteLineJSON `json:"lines"`
	Recipient  []string        `json:"recipient"`
	Moved      *views.MovedVM  `json:"moved,omitempty"`
	CardCharge string          `json:"card_charge,omitempty"`
}

// PurchaseQuote is the purchase page's live price: the page's script posts
// the form (session and CSRF header) and shows the price or the field at
// fault. Nothing is bought; without JavaScript "Get price" does the same.
func (h *Handler) PurchaseQuote(c fiber.Ctx) error {
	u := *request.Actor(c)
	f := form(c, purchaseFields...)
	services := formMulti(c, "services")
	fail := func(err error) error {
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Kind == apperr.KindInternal {
			return err
		}
		status := fiber.StatusUnprocessableEntity
		if ae.Kind != apperr.KindInvalid {
			status = fiber.StatusConflict
		}
		return c.Status(status).JSON(fiber.Map{"error": fiber.Map{"code": ae.Code, "field": ae.Field, "message": ae.Message}})
	}
	// The chosen meter's origin prices the piece, as the purchase will.
	m, _, err := h.purchaseMeter(c.Context(), u, f)
	if err != nil {
		return fail(err)
	}
	pp, err := h.pricePiece(c, u, f, services, m)
	if err != nil {
		return fail(err)
	}
	q := quoteVM(pp.quote)
	out := liveQuoteJSON{ClassName: q.ClassName, Where: q.Where, Total: q.Total, TotalCents: pp.quote.TotalCents, Lines: []quoteLineJSON{},
		Recipient: pp.recipient.Lines, Moved: movedVM(pp.moved)}
	for _, l := range q.Lines {
		out.Lines = append(out.Lines, quoteLineJSON{Description: l.Description, Amount: l.Amount})
	}
	if h.d.Payments != nil {
		fund, err := h.d.Payments.FundingOf(c.Context(), m.ID)
		if err != nil {
			return err
		}
		if fund.Mode == payments.ModeTrickle {
			fee := h.d.Payments.Fee(1)
			out.CardCharge = views.Money(pp.quote.TotalCents+fee) + " charged to your card (postage " + q.Total + " + fee " + views.Money(fee) + ")"
		}
	}
	return c.JSON(out)
}
