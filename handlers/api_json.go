package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"reflect"
	"strings"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
)

// decodeJSON reads a request body strictly: unknown fields and trailing data
// are errors that name what is wrong, so a client sees its typo at once.
func decodeJSON(c fiber.Ctx, dst any) error {
	if err := checkJSONBody(c); err != nil {
		return err
	}
	return decodeStrict(c.Body(), dst, "")
}

// checkJSONBody refuses an empty body and one that is not sent as JSON.
func checkJSONBody(c fiber.Ctx) error {
	if len(bytes.TrimSpace(c.Body())) == 0 {
		return &apperr.Error{Kind: apperr.KindInvalid, Code: "invalid_json", Message: "The request body is empty; send a JSON object."}
	}
	if !isJSONType(c.Get(fiber.HeaderContentType)) {
		return &fiber.Error{Code: fiber.StatusUnsupportedMediaType,
			Message: "Send the request body as JSON with the header Content-Type: application/json."}
	}
	return nil
}

// decodeStrict decodes one JSON value into dst, naming fields under prefix
// (like "pieces[3]") so an error in one piece of a batch says which piece.
func decodeStrict(data []byte, dst any, prefix string) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err, prefix)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &apperr.Error{Kind: apperr.KindInvalid, Code: "invalid_json", Field: prefix,
			Message: "The request body holds more than one JSON value; send one object."}
	}
	v := reflect.ValueOf(dst)
	if textOK(v) {
		return nil
	}
	return checkText(v, prefix)
}

// isJSONType accepts application/json and the +json types, with parameters.
func isJSONType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == fiber.MIMEApplicationJSON || strings.HasSuffix(mt, "+json"))
}

// checkText refuses a decoded string holding a NUL or another control
// character (tab and newlines aside): no field takes one, and PostgreSQL
// would refuse it only after the box had signed. The error names the field
// by its JSON path.
func checkText(v reflect.Value, path string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return checkText(v.Elem(), path)
		}
	case reflect.String:
		if err := apperr.CheckText(path, v.String()); err != nil {
			return err
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil // raw JSON, checked when it is decoded
		}
		for i := 0; i < v.Len(); i++ {
			if err := checkText(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			if err := checkText(v.MapIndex(k), jsonPath(path, fmt.Sprint(k.Interface()))); err != nil {
				return err
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if err := checkText(v.Field(i), jsonPath(path, name)); err != nil {
				return err
			}
		}
	}
	return nil
}

// textOK reports whether every string under v passes apperr.CheckText. It
// builds no field paths, so the common body is checked without allocating;
// when it finds a bad string (it looks at every field, even those checkText
// skips), checkText walks again to name the field or to let it pass.
func textOK(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return v.IsNil() || textOK(v.Elem())
	case reflect.String:
		return apperr.CheckText("", v.String()) == nil
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return true
		}
		for i := 0; i < v.Len(); i++ {
			if !textOK(v.Index(i)) {
				return false
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if !textOK(it.Key()) || !textOK(it.Value()) {
				return false
			}
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if !textOK(v.Field(i)) {
				return false
			}
		}
	}
	return true
}

// jsonError turns a decoding error into a message a client developer reads:
// the JSON path of the field and the kind of value it takes, never a Go type.
func jsonError(err error, prefix string) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	msg := "The request body is not valid JSON."
	field := ""
	switch {
	case errors.As(err, &se):
		msg = fmt.Sprintf("The request body is not valid JSON (at byte %d).", se.Offset)
	case errors.As(err, &te):
		field = jsonPath(prefix, te.Field)
		name := field
		if name == "" {
			name = "The request body"
		}
		msg = fmt.Sprintf("%s must be %s, not %s.", name, jsonKind(te.Type), jsonValue(te.Value))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		field = jsonPath(prefix, name)
		msg = fmt.Sprintf("Unknown field %q.", field)
	}
	return &apperr.Error{Kind: apperr.KindInvalid, Code: "invalid_json", Field: field, Message: msg}
}

func jsonPath(prefix, field string) string {
	switch {
	case prefix == "":
		return field
	case field == "":
		return prefix
	}
	return prefix + "." + field
}

// jsonKind names the JSON value a Go type takes.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "a JSON object"
	}
	return "another kind of value"
}

// jsonValue names the JSON value a client sent, as the decoder reports it
// ("string", "number", "number 1.5", "bool", "array", "object").
func jsonValue(v string) string {
	switch v {
	case "string", "number":
		return "a " + v
	case "bool":
		return "true or false"
	case "array":
		return "a list"
	case "object":
		return "a JSON object"
	}
	return strings.TrimPrefix(v, "number ")
}
