package payments

import (
	"fmt"

	"indicia/apperr"
)

// CodeChargedPending is the error code of a trickle purchase whose card was
// charged but whose labels could not be dispensed yet (the box did not
// answer). The purchase is not lost: a retry with the same idempotency key
// finishes it without charging again, and so does the reconciler.
const CodeChargedPending = "charged_pending"

// Outcome of a charge as a mailer sees it (ChargeOutcome).
const (
	OutcomeProcessing     = "processing"      // the card processor has not answered yet
	OutcomeChargedPending = "charged_pending" // charged; the labels are being finished
	OutcomeCompleted      = "completed"       // charged and dispensed (or credited, for a top-up)
	OutcomeDeclined       = "declined"        // nothing was charged
	OutcomeRefunding      = "refunding"       // charged; the purchase failed and the refund is under way
	OutcomeRefunded       = "refunded"        // charged, then refunded in full
)

// Outcome says where the charge stands in the mailer's words.
func (c Charge) Outcome() string {
	switch c.Status {
	case StatusStaged, StatusUnknown:
		return OutcomeProcessing
	case StatusCharged, StatusCredited:
		if c.Kind == KindTrickle {
			return OutcomeChargedPending
		}
		return OutcomeProcessing
	case StatusDone:
		return OutcomeCompleted
	case StatusDeclined:
		return OutcomeDeclined
	case StatusRefunding:
		return OutcomeRefunding
	}
	return OutcomeRefunded
}

// truthful replaces the error of a trickle purchase that stopped after the
// card was charged: the generic "nothing was charged" of a dependency that did
// not answer would be false, and would make the mailer pay again under a new key.
func truthful(c Charge, err error) error {
	if err == nil {
		return nil
	}
	switch c.Status {
	case StatusCharged, StatusCredited:
		return &apperr.Error{Kind: apperr.KindUnavailable, Code: CodeChargedPending, Err: err,
			Message: fmt.Sprintf("Your card was charged %s; we are finishing your label. Retry with the same Idempotency-Key to get it: you will not be charged again.", money(c.Amount)),
			Details: map[string]any{"charge_id": c.PublicID, "amount": c.Amount}}
	case StatusRefunding:
		return &apperr.Error{Kind: apperr.KindUnavailable, Code: "refund_pending", Err: err,
			Message: fmt.Sprintf("Your card was charged %s but the purchase could not be finished; the charge is being refunded to your card. Nothing was dispensed.", money(c.Amount)),
			Details: map[string]any{"charge_id": c.PublicID, "amount": c.Amount}}
	}
	return err
}

// ChargedPending returns the charge of a CodeChargedPending error.
func ChargedPending(err error) (chargeID string, ok bool) {
	ae, ok := apperr.As(err)
	if !ok || ae.Code != CodeChargedPending {
		return "", false
	}
	id, ok := ae.Details["charge_id"].(string)
	return id, ok
}
