package handlers

import (
	"context"

	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/payments"
	"indicia/views"
	"indicia/web/request"
)

func (h *Handler) receiptParts(ctx context.Context, u accounts.User, id string) (payments.Charge, string, string, error) {
	ch, err := h.d.Payments.ChargeByID(ctx, u, id)
	if err != nil {
		return ch, "", "", err
	}
	company, serial := "", ""
	if a, err := h.d.Accounts.Account(ctx, u, ch.AccountID); err == nil {
		company = a.Company
	}
	if m, err := h.d.Metering.Meter(ctx, u, ch.MeterID); err == nil {
		serial = m.Record.Serial
	}
	return ch, company, serial, nil
}

// Receipt shows one charge's receipt.
func (h *Handler) Receipt(c fiber.Ctx) error {
	ch, company, serial, err := h.receiptParts(c.Context(), *request.Actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	if !ch.Paid() {
		return h.redirectWith(c, "/billing", "That charge was not paid, so it has no receipt.")
	}
	r := views.ReceiptVM{ID: ch.PublicID, When: ch.CreatedAt.UTC().Format("2006-01-02 15:04 MST"), Company: company, Meter: serial,
		Card: ch.CardBrand + " ending " + ch.CardLast4, PaymentIntent: ch.PaymentIntentID, Status: chargeRow(ch, serial).Status,
		Total: views.Money(ch.Amount), Purchase: ch.PurchasePublicID}
	for _, l := range ch.Lines() {
		r.Lines = append(r.Lines, views.ReceiptLineVM{Label: l.Label, Amount: views.Money(l.Amount)})
	}
	if ch.Refunded > 0 {
		r.Refunded = views.Money(ch.Refunded)
	}
	return render(c, fiber.StatusOK, views.Receipt(h.Page(c, "Receipt", "billing"), r))
}

// ReceiptPDF downloads one charge's receipt as a PDF.
func (h *Handler) ReceiptPDF(c fiber.Ctx) error {
	ch, company, serial, err := h.receiptParts(c.Context(), *request.Actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	if !ch.Paid() {
		return fiber.ErrNotFound
	}
	pdf, err := payments.ReceiptPDF(ch, company, serial)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="receipt-`+ch.PublicID+`.pdf"`)
	return c.Send(pdf)
}
