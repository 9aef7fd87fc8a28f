package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
)

// decodeJSON reads a request body strictly: unknown fields and trailing data
// are errors that name what is wrong, so a client sees its typo at once.
func decodeJSON(c fiber.Ctx, dst any) error {
	body := c.Body()
	if len(bytes.TrimSpace(body)) == 0 {
		return &apperr.Error{Kind: apperr.KindInvalid, Code: "invalid_json", Message: "The request body is empty; send a JSON object."}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		msg := "The request body is not valid JSON."
		field := ""
		switch {
		case errors.As(err, &se):
			msg = fmt.Sprintf("The request body is not valid JSON (at byte %d).", se.Offset)
		case errors.As(err, &te):
			field = te.Field
			msg = fmt.Sprintf("%s must be a %s.", te.Field, te.Type.String())
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			field = strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			msg = fmt.Sprintf("Unknown field %q.", field)
		}
		return &apperr.Error{Kind: apperr.KindInvalid, Code: "invalid_json", Field: field, Message: msg}
	}
	return nil
}
