package handlers

import (
	"errors"
	"slices"

	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/hygiene/coa"
	"indicia/payments"
	"indicia/postage"
	"indicia/views"
	"indicia/web/request"
)

// ShowPurchase is the purchase page, filled with the piece a link carries
// (a row of the rates comparison).
func (h *Handler) ShowPurchase(c fiber.Ctx) error {
	u := *request.Actor(c)
	p := h.Page(c, "Buy postage", "postage")
	vm, _, err := h.purchaseVM(c.Context(), u, queryForm(c, purchasePrefill...), queryMulti(c, "services"))
	if err != nil {
		if ae, ok := apperr.As(err); !ok || ae.Kind == apperr.KindInternal {
			return err
		}
		p.Error = err.(*apperr.Error).Message
	}
	return render(c, fiber.StatusOK, views.Purchase(p, vm))
}

// BuyPostage prices the form ("Get price") or buys the postage ("Buy"), then
// redirects to the labels. The form's one-time token is the purchase's
// idempotency key, so a double submit buys once; the key's request hash
// covers the meter, so the same form sent again for another meter is refused
// rather than bought twice.
func (h *Handler) BuyPostage(c fiber.Ctx) error {
	u := *request.Actor(c)
	f := form(c, purchaseFields...)
	services := formMulti(c, "services")
	p := h.Page(c, "Buy postage", "postage")
	if na := f.V("use_new_address"); na != "" {
		// "Use the new address" from the change-of-address warning: price it again.
		f.Values["recipient_address"], f.Values["book_id"], f.Values["action"] = na, "", ""
	}
	applyZIPChoice(f)
	if f.V("action") == "preset" {
		// "Use preset": fill the piece from the preset and show the form again; nothing is priced.
		ps, perr := h.applyPreset(c.Context(), u, f)
		if perr == nil {
			services = ps
		}
		vm, _, err := h.purchaseVM(c.Context(), u, f, services)
		if err == nil {
			err = perr
		}
		if err != nil {
			return h.purchaseFailed(c, p, vm, err)
		}
		return render(c, fiber.StatusOK, views.Purchase(p, vm))
	}
	vm, m, err := h.purchaseVM(c.Context(), u, f, services)
	if err != nil {
		return h.purchaseFailed(c, p, vm, err)
	}
	q, err := h.quoteForm(c.Context(), u, vm.Form, services, m)
	if err != nil {
		return h.purchaseFailed(c, p, vm, err)
	}
	pq := q.Pieces[0]
	qvm := quoteVM(pq.Quote)
	if vm.TrickleFee > 0 {
		qvm.CardCharge = views.Money(pq.Quote.TotalCents+vm.TrickleFee) + " charged to your card (postage " + qvm.Total + " + fee " + views.Money(vm.TrickleFee) + ")"
	}
	vm.Quote, vm.Recipient = &qvm, pq.Request.Recipient.Lines
	vm.Moved = movedVM(pq.Moved)
	if f.V("action") == "preview" {
		png, err := h.previewPNG(c.Context(), u, q)
		if err != nil {
			return h.purchaseFailed(c, p, vm, err)
		}
		vm.Preview = previewVM(png, q, vm.TrickleFee)
		return render(c, fiber.StatusOK, views.Purchase(p, vm))
	}
	if f.V("action") != "buy" {
		return render(c, fiber.StatusOK, views.Purchase(p, vm))
	}
	if err := accounts.RequireVerifiedEmail(u); err != nil {
		return h.purchaseFailed(c, p, vm, err)
	}
	purchase, err := h.d.Postage.BuyQuote(c.Context(), u, q)
	if errors.Is(err, postage.ErrRecipientMoved) {
		// Nothing is bought until the mailer picks the new address or confirms the old one.
		p.Error = "This recipient has moved. Use the new address, or confirm that you mail to the old one."
		return render(c, fiber.StatusConflict, views.Purchase(p, vm))
	}
	if id, ok := payments.ChargedPending(err); ok {
		// The card was charged; the same form (same token) finishes the label.
		return h.purchasePending(c, p, vm, id)
	}
	if err != nil {
		if ae, ok := apperr.As(err); ok && ae.Field == "idempotency_key" {
			// This form already bought something else: start a fresh form.
			vm.Token = newFormToken()
			err = apperr.Conflict("", "This form was already used for another purchase (see your labels). Check the details and buy again if you meant to.")
		}
		return h.purchaseFailed(c, p, vm, err)
	}
	flash := "Postage bought: " + views.Money(purchase.Postage) + "."
	if vm.TrickleFee > 0 {
		// A trickle meter: the card paid the postage and the fee.
		flash += " Your card was charged " + views.Money(purchase.Postage+vm.TrickleFee) + " (postage " + views.Money(purchase.Postage) + " + fee " + views.Money(vm.TrickleFee) + ")."
	}
	if purchase.Replayed {
		flash = "This form had already been submitted; here are the labels it bought."
	}
	return h.redirectWith(c, "/labels/"+purchase.PublicID, flash)
}

// formFieldsShown are the purchase-form fields that show their own message.
var formFieldsShown = []string{"meter_id", "book_id", "recipient_name", "recipient_company", "recipient_address", "country", "origin_zip", "class", "weight",
	"length", "width", "height", "services", "declared_value", "mailing_date", "cost_code", "reference", "ship_from_id", "preset_id"}

// purchaseFailed re-renders the form with the message next to the field, or
// above the form for errors about the meter or the funds; nothing was bought.
func (h *Handler) purchaseFailed(c fiber.Ctx, p views.Page, vm views.PurchaseVM, err error) error {
	vm.ZIPChoices = zipChoices(err)
	if fields, ok := apperr.AsFields(err); ok && apperr.KindOf(err) == apperr.KindInvalid {
		for k, v := range fields {
			if slices.Contains(formFieldsShown, k) && (k != "origin_zip" || vm.Floating) && (k != "meter_id" || len(vm.Meters) > 0) {
				vm.Form.Errors[k] = v
			} else {
				p.Error = v
			}
		}
		return render(c, fiber.StatusUnprocessableEntity, views.Purchase(p, vm))
	}
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Kind == apperr.KindInternal {
		return err
	}
	p.Error = ae.Message
	return render(c, apperr.HTTPStatus(ae.Kind), views.Purchase(p, vm))
}

// movedVM shapes a change-of-address match for the purchase page.
func movedVM(mv *coa.Move) *views.MovedVM {
	if mv == nil {
		return nil
	}
	return &views.MovedVM{Code: string(mv.Code), Label: mv.Code.Label(), MoveType: mv.MoveType,
		Effective: mv.Effective.Format("January 2006"), NewAddress: mv.NewOneLine()}
}

// purchasePending shows the form again with the charged, pending label: the
// card was charged and the label is being finished; buying again with the
// same form finishes it without a second charge.
func (h *Handler) purchasePending(c fiber.Ctx, p views.Page, vm views.PurchaseVM, chargeID string) error {
	ch, err := h.d.Payments.ChargeByID(c.Context(), *request.Actor(c), chargeID)
	if err != nil {
		return err
	}
	vm.Pending = &views.PendingVM{Amount: views.Money(ch.Amount), Card: ch.CardBrand + " ending " + ch.CardLast4,
		ReceiptURL: "/billing/receipts/" + ch.PublicID}
	return render(c, fiber.StatusAccepted, views.Purchase(p, vm))
}
