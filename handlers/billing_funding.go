package handlers

import (
	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/payments"
	"indicia/views"
	"indicia/web/request"
)

// SetFunding changes one meter's funding mode and auto-refill.
func (h *Handler) SetFunding(c fiber.Ctx) error {
	id, err := meterID(c)
	if err != nil {
		return err
	}
	f := form(c, "mode", "refill_amount", "refill_threshold", "refill_daily_cap")
	fu := payments.Funding{MeterID: id, Mode: f.V("mode")}
	for name, dst := range map[string]*int64{"refill_amount": &fu.RefillAmount, "refill_threshold": &fu.RefillThreshold, "refill_daily_cap": &fu.RefillDailyCap} {
		v := f.V(name)
		if v == "" {
			continue
		}
		cents, ok := parseDollars(v)
		if !ok {
			f.Errors[name] = "Enter dollars and cents, like 50 or 25.50."
			continue
		}
		*dst = cents
	}
	if len(f.Errors) == 0 {
		if err = h.d.Payments.SetFunding(c.Context(), *request.Actor(c), fu); err == nil {
			msg := "Meter set to prepaid."
			if fu.Mode == payments.ModeTrickle {
				msg = "Meter set to trickle charging: each purchase charges your card."
			} else if fu.RefillAmount > 0 {
				msg = "Meter set to prepaid with auto-refill of " + views.Money(fu.RefillAmount) + "."
			}
			return h.redirectWith(c, "/billing", msg)
		}
		if !formError(&f, err) {
			return err
		}
	}
	return h.renderBilling(c, fiber.StatusUnprocessableEntity, emptyForm(), map[int64]views.Form{id: f})
}

// TopUp charges the card and adds funds to a prepaid meter.
func (h *Handler) TopUp(c fiber.Ctx) error {
	id, err := meterID(c)
	if err != nil {
		return err
	}
	f := form(c, "amount", "key")
	cents, ok := parseDollars(f.V("amount"))
	if !ok || cents == 0 {
		f.Errors["amount"] = "Enter the amount in dollars, like 50 or 25.50."
		return h.renderBilling(c, fiber.StatusUnprocessableEntity, emptyForm(), map[int64]views.Form{id: f})
	}
	ch, err := h.d.Payments.TopUp(c.Context(), *request.Actor(c), id, cents, f.V("key"))
	if err != nil {
		// The top-up form has one field: a refusal (no card, a decline, a
		// meter that cannot take funds) is shown next to the amount.
		e, ok := apperr.As(err)
		if fields, isFields := apperr.AsFields(err); isFields && !ok {
			for _, msg := range fields {
				f.Errors["amount"] = msg
			}
		} else if ok && (e.Kind == apperr.KindInvalid || e.Kind == apperr.KindConflict || e.Kind == apperr.KindPayment) {
			f.Errors["amount"] = e.Message
		} else {
			return err
		}
		return h.renderBilling(c, fiber.StatusUnprocessableEntity, emptyForm(), map[int64]views.Form{id: f})
	}
	return h.redirectWith(c, "/billing/receipts/"+ch.PublicID, views.Money(cents)+" added to the meter; your card was charged.")
}
