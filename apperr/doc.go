// Package apperr gives errors a kind (invalid, not found, conflict, unauthorized,
// forbidden, payment, rate limited, internal) and, for invalid input, the field at
// fault. The web layer maps kinds to HTTP statuses in one place; a user never sees
// the text of an internal error.
package apperr
