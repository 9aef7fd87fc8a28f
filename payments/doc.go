// Package payments funds meters with cards through Stripe (stripe-go v76): a
// Stripe customer and card on file per master account, trickle charges (each
// purchase charges the card off-session for its postage plus fees, then
// dispenses) and prepaid top-ups with auto-refill, signed webhooks, refunds,
// the reconciler that finishes or refunds anything a crash left half-way, the
// double-entry money ledger (integer cents, append-only, each transfer sums to
// zero), daily settlement for the post, receipts and payment emails. Every
// charge commits its phase to PostgreSQL before each Stripe call and sends our
// own idempotency key, so no crash charges twice or loses a label. Without a
// secret key it talks to the stand-in in payments/stripestub.
package payments
