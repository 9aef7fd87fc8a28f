package rating

import "fmt"

// FieldError is a rating failure caused by one input field, worded for the
// person who filled it in ("weight must be greater than 0"). Handlers show
// Message next to Field and dispense nothing.
type FieldError struct {
	Field   string // weight, class, length, width, height, origin_zip, dest_zip, country, services, declared_value, date
	Message string
}

func (e *FieldError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Message) }

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}
