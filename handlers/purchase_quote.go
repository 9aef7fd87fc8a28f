package handlers

import (
	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
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
	applyZIPChoice(f)
	services := formMulti(c, "services")
	fail := func(err error) error {
		ae, ok := apperr.As(err)
		if !ok || ae.Kind == apperr.KindInternal {
			return err
		}
		return c.Status(apperr.HTTPStatus(ae.Kind)).JSON(fiber.Map{"error": fiber.Map{"code": ae.Code, "field": ae.Field, "message": ae.Message}})
	}
	// The chosen meter's origin prices the piece, as the purchase will.
	m, _, err := h.purchaseMeter(c.Context(), u, f)
	if err != nil {
		return fail(err)
	}
	q, err := h.quoteForm(c.Context(), u, f, services, m)
	if err != nil {
		return fail(err)
	}
	pq := q.Pieces[0]
	qvm := quoteVM(pq.Quote)
	out := liveQuoteJSON{ClassName: qvm.ClassName, Where: qvm.Where, Total: qvm.Total, TotalCents: pq.Quote.TotalCents, Lines: []quoteLineJSON{},
		Recipient: pq.Request.Recipient.Lines, Moved: movedVM(pq.Moved)}
	for _, l := range qvm.Lines {
		out.Lines = append(out.Lines, quoteLineJSON{Description: l.Description, Amount: l.Amount})
	}
	if q.CardFee > 0 {
		out.CardCharge = views.Money(pq.Quote.TotalCents+q.CardFee) + " charged to your card (postage " + qvm.Total + " + fee " + views.Money(q.CardFee) + ")"
	}
	return c.JSON(out)
}
