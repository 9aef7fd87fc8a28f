package metering

import (
	"indicia/accounts"
	"indicia/apperr"
)

// authorizePurchase refuses an actor who may not buy postage. Whether the
// meter is the actor's is decided later, against the locked meter row,
// with the rest of its group (dispense_decide.go): an account check made
// before the lock could be outdated by the time the box signs.
func authorizePurchase(actor accounts.User) error {
	if !actor.Can(accounts.PermBuyPostage) {
		return apperr.Forbidden("You do not have the \"Buy postage\" permission.")
	}
	return nil
}
