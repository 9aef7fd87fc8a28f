package handlers

import (
	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/payments"
	"indicia/web/request"
)

// apiChargePath is where a client follows a charge (the status URL of a
// charged-but-pending trickle purchase).
func apiChargePath(id string) string { return "/api/v1/charges/" + id }

// apiChargedPending is the 202 answer of a trickle purchase whose card was
// charged but whose labels are not dispensed yet.
type apiChargedPending struct {
	Status    string `json:"status"`
	Message   string `json:"message"`
	ChargeID  string `json:"charge_id"`
	Amount    int64  `json:"amount"`
	StatusURL string `json:"status_url"`
}

// chargedPendingJSON answers 202 when err says the card was charged and the
// labels are still being finished; ok is false for any other error.
func chargedPendingJSON(c fiber.Ctx, err error) (handled bool, _ error) {
	id, ok := payments.ChargedPending(err)
	if !ok {
		return false, nil
	}
	ae, _ := apperr.As(err)
	amount, _ := ae.Details["amount"].(int64)
	c.Set(fiber.HeaderLocation, apiChargePath(id))
	c.Set(fiber.HeaderRetryAfter, "30")
	return true, c.Status(fiber.StatusAccepted).JSON(apiChargedPending{Status: payments.OutcomeChargedPending, Message: ae.Message,
		ChargeID: id, Amount: amount, StatusURL: apiChargePath(id)})
}

type apiCharge struct {
	ID         string       `json:"id"`
	Status     string       `json:"status"`
	Kind       string       `json:"kind"`
	Amount     int64        `json:"amount"`
	Postage    int64        `json:"postage"`
	Fee        int64        `json:"fee"`
	Refunded   int64        `json:"refunded"`
	Card       string       `json:"card,omitempty"`
	CreatedAt  string       `json:"created_at"`
	PurchaseID string       `json:"purchase_id,omitempty"`
	Purchase   *apiPurchase `json:"purchase,omitempty"`
}

// APICharge is one charge of the caller's account and where it stands; once a
// trickle purchase is completed it carries the purchase and its labels.
func (h *Handler) APICharge(c fiber.Ctx) error {
	u := *request.Actor(c)
	ch, err := h.d.Payments.ChargeByID(c.Context(), u, c.Params("id"))
	if err != nil {
		return err
	}
	out := apiCharge{ID: ch.PublicID, Status: ch.Outcome(), Kind: ch.Kind, Amount: ch.Amount, Postage: ch.Postage, Fee: ch.Fee,
		Refunded: ch.Refunded, CreatedAt: ch.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"), PurchaseID: ch.PurchasePublicID}
	if ch.CardLast4 != "" {
		out.Card = ch.CardBrand + " ending " + ch.CardLast4
	}
	if ch.PurchasePublicID != "" {
		p, err := h.d.Metering.PurchaseByID(c.Context(), u, ch.PurchasePublicID)
		if err != nil {
			return err
		}
		ap := toAPIPurchase(p)
		out.Purchase = &ap
	}
	if out.Status == payments.OutcomeChargedPending || out.Status == payments.OutcomeProcessing {
		c.Set(fiber.HeaderRetryAfter, "30")
	}
	return c.JSON(out)
}
