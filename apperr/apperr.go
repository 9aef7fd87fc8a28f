package apperr

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Kind classifies an error for the caller.
type Kind int

const (
	KindInternal Kind = iota
	KindInvalid
	KindNotFound
	KindConflict
	KindUnauthorized
	KindForbidden
	KindPayment
	KindRateLimited
	KindUnavailable
)

// Error is a user-facing error: Message is safe to show; Err is the cause for logs.
type Error struct {
	Kind    Kind
	Code    string
	Field   string
	Message string
	// Details are machine-readable facts a client acts on (a moved
	// recipient's new address); the API shows them next to the code.
	Details map[string]any
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", e.Message, e.Err)
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Invalid reports bad input in one field.
func Invalid(field, msg string) *Error {
	return &Error{Kind: KindInvalid, Code: "invalid", Field: field, Message: msg}
}

// NotFound reports a missing resource (or one the caller may not see).
func NotFound(msg string) *Error { return &Error{Kind: KindNotFound, Code: "not_found", Message: msg} }

// Conflict reports a clash with existing state.
func Conflict(field, msg string) *Error {
	return &Error{Kind: KindConflict, Code: "conflict", Field: field, Message: msg}
}

// Unauthorized reports missing or wrong credentials.
func Unauthorized(msg string) *Error {
	return &Error{Kind: KindUnauthorized, Code: "unauthorized", Message: msg}
}

// Forbidden reports an authenticated caller without the right.
func Forbidden(msg string) *Error {
	return &Error{Kind: KindForbidden, Code: "forbidden", Message: msg}
}

// RateLimited reports throttling.
func RateLimited(msg string) *Error {
	return &Error{Kind: KindRateLimited, Code: "rate_limited", Message: msg}
}

// Payment reports a declined or failed payment.
func Payment(code, msg string) *Error { return &Error{Kind: KindPayment, Code: code, Message: msg} }

// Unavailable reports a dependency that is down; the user should try again.
func Unavailable(msg string, err error) *Error {
	return &Error{Kind: KindUnavailable, Code: "unavailable", Message: msg, Err: err}
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// KindOf returns err's kind; plain errors are internal.
func KindOf(err error) Kind {
	if e, ok := As(err); ok {
		return e.Kind
	}
	var fe *FieldsError
	if errors.As(err, &fe) {
		return KindInvalid
	}
	return KindInternal
}

// Fields collects several invalid-field errors (a form re-rendered with messages by each field).
type Fields map[string]string

// Err returns nil when empty, else an invalid error naming the first field (sorted for stable output).
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	first := ""
	for k := range f {
		if first == "" || k < first {
			first = k
		}
	}
	return &FieldsError{Fields: f, First: first}
}

// FieldsError carries every invalid field of one submission.
type FieldsError struct {
	Fields Fields
	First  string
}

func (e *FieldsError) Error() string { return e.First + ": " + e.Fields[e.First] }

// AsFields returns the per-field messages of err, if it carries any.
func AsFields(err error) (Fields, bool) {
	var fe *FieldsError
	if errors.As(err, &fe) {
		return fe.Fields, true
	}
	if e, ok := As(err); ok && e.Field != "" {
		return Fields{e.Field: e.Message}, true
	}
	return nil, false
}

// MaxResolution is the longest note a person may leave when closing an alert
// or a signal (tamper alerts, payment alerts, fraud signals), in characters.
const MaxResolution = 500

// Resolution checks the note that closes an alert or a signal: trimmed,
// required, at most MaxResolution characters. It returns the note to store,
// or an Invalid error on the field "resolution".
func Resolution(note string) (string, error) {
	note = strings.TrimSpace(note)
	switch {
	case note == "":
		return "", Invalid("resolution", "Say what you found and did.")
	case utf8.RuneCountInString(note) > MaxResolution:
		return "", Invalid("resolution", fmt.Sprintf("Keep the resolution to %d characters.", MaxResolution))
	}
	return note, nil
}
