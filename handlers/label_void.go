package handlers

import (
	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/views"
	"indicia/web/request"
)

// ShowVoidLabel asks the mailer to confirm voiding one label.
func (h *Handler) ShowVoidLabel(c fiber.Ctx) error {
	return h.renderVoidLabel(c, fiber.StatusOK, "")
}

func (h *Handler) renderVoidLabel(c fiber.Ctx, status int, msg string) error {
	l, err := h.d.Metering.LabelByID(c.Context(), *request.Actor(c), c.Params("label_id"))
	if err != nil {
		return err
	}
	states, err := h.d.Metering.LabelStates(c.Context(), *request.Actor(c), []string{l.PublicID})
	if err != nil {
		return err
	}
	st := states[l.PublicID]
	p := h.Page(c, "Void label", "labels")
	p.Error = msg
	vm := views.VoidLabelVM{ID: l.PublicID, Serial: l.Serial, Piece: l.PieceNumber, Postage: views.Money(l.Postage),
		MailingDate: l.MailingDate.Format("2006-01-02"), Destination: l.DestZIP, Status: labelStatus(l, st),
		CanVoid: l.Status == "issued" && st.UsedAt == nil && msg == ""}
	if l.Status == "issued" && st.UsedAt != nil && msg == "" {
		// Say why there is no button before the mailer tries: voiding would be refused.
		vm.Why = "The Postal Service scanned this label as used on " + st.UsedAt.UTC().Format("January 2, 2006") + "; it cannot be voided."
	}
	if vm.CanVoid && h.d.Payments != nil {
		if vm.ToCard, err = h.d.Payments.LabelPaidByCard(c.Context(), l.PublicID); err != nil {
			return err
		}
	}
	return render(c, status, views.VoidLabel(p, vm))
}

// VoidLabel voids the label and returns its postage to the meter, or to the
// card for a label paid by a trickle charge.
func (h *Handler) VoidLabel(c fiber.Ctx) error {
	id := c.Params("label_id")
	v, err := h.d.Metering.Void(c.Context(), *request.Actor(c), id)
	if err != nil {
		if e, ok := apperr.As(err); ok && e.Kind == apperr.KindConflict {
			return h.renderVoidLabel(c, fiber.StatusConflict, e.Message)
		}
		return err
	}
	msg := "Label voided: " + views.Money(v.Refunded) + " is back on meter " + v.Label.Serial + "."
	switch {
	case v.ToCard && v.CardPending:
		msg = "Label voided: " + views.Money(v.Refunded) + " will be refunded to your card (the card processor did not answer yet; we retry)."
	case v.ToCard:
		msg = "Label voided: " + views.Money(v.Refunded) + " is refunded to your card."
	}
	return h.redirectWith(c, "/labels/"+id+"/void", msg)
}

type apiVoided struct {
	Label      apiLabel `json:"label"`
	Refunded   int64    `json:"refunded"`
	TransferID string   `json:"transfer_id,omitempty"`
	// RefundedTo is "meter" or "card" (a label paid by a trickle charge).
	RefundedTo string `json:"refunded_to"`
	// CardPending: the card refund is queued for retry.
	CardPending bool `json:"card_refund_pending,omitempty"`
	// The meter's descending register after the refund, cents.
	MeterDR int64 `json:"meter_descending_register"`
}

// APIVoidLabel voids a label of the key's account.
func (h *Handler) APIVoidLabel(c fiber.Ctx) error {
	v, err := h.d.Metering.Void(c.Context(), *request.Actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	to := "meter"
	if v.ToCard {
		to = "card"
	}
	return c.JSON(apiVoided{Label: toAPILabel(v.Label), Refunded: v.Refunded, TransferID: v.TransferID, RefundedTo: to, CardPending: v.CardPending,
		MeterDR: v.Meter.Record.DR})
}
