package web

import (
	"errors"
	"log/slog"
	"net"
	"strings"

	"github.com/gofiber/fiber/v3"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/redis/go-redis/v9"

	"indicia/apperr"
	"indicia/views"
	"indicia/web/request"
)

type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	// Fields is every field's message of a 422 (field and message above are
	// the first of them), so a client can mark them all at once.
	Fields  apperr.Fields  `json:"fields,omitempty"`
	Details map[string]any `json:"-"`
}

// body is the API's error object: code, message and field, with the error's
// details (a moved recipient's new address) beside them.
func (e apiError) body() any {
	if len(e.Details) == 0 {
		return e
	}
	out := fiber.Map{"code": e.Code, "message": e.Message}
	if e.Field != "" {
		out["field"] = e.Field
	}
	if len(e.Fields) > 0 {
		out["fields"] = e.Fields
	}
	for k, v := range e.Details {
		if _, taken := out[k]; !taken {
			out[k] = v
		}
	}
	return out
}

// errorHandler renders every error: JSON under /api, a page elsewhere. The text
// of an internal error goes to the log with the request ID, never to the user.
func (s *Server) errorHandler(c fiber.Ctx, err error) error {
	code, out := fiber.StatusInternalServerError, apiError{Code: "internal", Message: "Something went wrong on our side. It has been logged; please try again."}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		code = fe.Code
		out = apiError{Code: strings.ToLower(strings.ReplaceAll(fiber.ErrNotFound.Message, " ", "_")), Message: fe.Message}
		switch code {
		case fiber.StatusNotFound:
			out = apiError{Code: "not_found", Message: "There is no page at this address."}
		case fiber.StatusRequestEntityTooLarge:
			out = apiError{Code: "too_large", Message: "The upload is too large."}
			if fe.Message != fiber.ErrRequestEntityTooLarge.Message {
				out.Message = fe.Message
			}
		case fiber.StatusUnsupportedMediaType:
			out = apiError{Code: "unsupported_media_type", Message: fe.Message}
		case fiber.StatusMethodNotAllowed:
			out = apiError{Code: "method_not_allowed", Message: "This address does not accept that method."}
		default:
			out.Code = "http_" + strings.ToLower(strings.ReplaceAll(fe.Message, " ", "_"))
		}
	} else if e, ok := apperr.As(err); ok && e.Code == "invalid_json" {
		code, out = fiber.StatusBadRequest, apiError{Code: e.Code, Message: e.Message, Field: e.Field}
	} else if fields, ok := apperr.AsFields(err); ok && apperr.KindOf(err) == apperr.KindInvalid {
		code = fiber.StatusUnprocessableEntity
		var fe *apperr.FieldsError
		if errors.As(err, &fe) {
			out = apiError{Code: "invalid", Field: fe.First, Message: fields[fe.First], Fields: fields}
		} else {
			e, _ := apperr.As(err)
			out = apiError{Code: "invalid", Field: e.Field, Message: e.Message, Fields: fields, Details: e.Details}
			if e.Code != "" {
				out.Code = e.Code // a refusal with its own code (international_class_unavailable)
			}
		}
	} else if e, ok := apperr.As(err); ok {
		code = apperr.HTTPStatus(e.Kind)
		if e.Code == "invalid_json" {
			code = fiber.StatusBadRequest
		}
		out = apiError{Code: e.Code, Message: e.Message, Field: e.Field, Details: e.Details}
		if e.Kind == apperr.KindInternal {
			out = apiError{Code: "internal", Message: "Something went wrong on our side. It has been logged; please try again."}
		}
	}
	if code == fiber.StatusInternalServerError && unreachable(err) {
		// A database or Redis that cannot be reached (a failover in
		// progress) is a moment's outage, not a bug: 503, try again.
		code, out = fiber.StatusServiceUnavailable, apiError{Code: "unavailable", Message: "The service is briefly unavailable. Please try again in a moment."}
	}
	if code >= 500 {
		slog.ErrorContext(c.Context(), "request failed", "request_id", requestID(c), "method", c.Method(), "path", c.Path(), "status", code, "err", err)
	}
	if strings.HasPrefix(c.Path(), "/api/") {
		return c.Status(code).JSON(fiber.Map{"error": out.body()})
	}
	titles := map[int]string{401: "Please log in", 403: "Not allowed", 404: "Not found", 409: "Conflict", 413: "Too large", 415: "Not a form this address takes", 422: "Please check your input", 429: "Slow down", 503: "Please try again"}
	title := titles[code]
	if title == "" {
		title = "Something went wrong"
	}
	p := request.Page(c, title, "", s.opt.TestMode)
	c.Status(code)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return views.ErrorPage(p, code, out.Message).Render(c.Context(), c.Response().BodyWriter())
}

// unreachable reports whether err says a server could not be reached or is
// changing roles: a refused or failed connection to PostgreSQL (pgx wraps
// it in a ConnectError) or any other dial that failed; a connection that
// broke mid-request; a PostgreSQL standby refusing a write or a server
// shutting down; a Redis that became a replica or is loading its data, as
// during a Sentinel failover.
func unreachable(err error) bool {
	var ce *pgconn.ConnectError
	var oe *net.OpError
	if errors.As(err, &ce) || errors.As(err, &oe) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "25006", "57P01", "57P02", "57P03": // read-only transaction, admin/crash shutdown, cannot connect now
			return true
		}
	}
	for _, p := range []string{"READONLY", "LOADING", "MASTERDOWN", "TRYAGAIN"} {
		if redis.HasErrorPrefix(err, p) {
			return true
		}
	}
	return false
}
