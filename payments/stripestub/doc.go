// Package stripestub is a small stateful stand-in for Stripe that speaks
// Stripe's JSON for exactly the calls package payments makes: customers,
// SetupIntents, PaymentMethods (Stripe's test tokens pm_card_visa,
// pm_card_chargeDeclined, pm_card_chargeDeclinedInsufficientFunds,
// pm_card_chargeDeclinedExpiredCard), PaymentIntents confirmed off-session
// (succeeded or declined by the card), refunds, disputes and signed webhook
// events. stripe-mock checks request shapes but is stateless; this drives the
// flow tests and `make run`. It is never used when STRIPE_SECRET_KEY is set.
package stripestub
