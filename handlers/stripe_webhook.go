package handlers

import (
	"errors"
	"log/slog"

	"github.com/gofiber/fiber/v3"

	"indicia/payments"
)

// StripeWebhook receives Stripe's events: the signature is checked, each
// event is handled once, and Stripe gets 2xx so it stops retrying.
func (h *Handler) StripeWebhook(c fiber.Ctx) error {
	if h.d.Payments == nil {
		return c.SendStatus(fiber.StatusNotFound)
	}
	res, err := h.d.Payments.HandleWebhook(c.Context(), c.Body(), c.Get("Stripe-Signature"))
	switch {
	case errors.Is(err, payments.ErrBadSignature):
		return c.Status(fiber.StatusBadRequest).JSON(fiber.Map{"error": fiber.Map{"code": "bad_signature", "message": "The webhook signature does not verify."}})
	case err != nil:
		// 500 makes Stripe deliver the event again later.
		slog.ErrorContext(c.Context(), "stripe webhook", "err", err)
		return c.Status(fiber.StatusInternalServerError).JSON(fiber.Map{"error": fiber.Map{"code": "internal", "message": "Try again later."}})
	}
	return c.JSON(fiber.Map{"received": true, "event": res.EventID, "duplicate": res.Duplicate})
}
