package handlers

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/hygiene"
	"indicia/views"
)

// addressCheckJSON is what the live check and the API return.
type addressCheckJSON struct {
	hygiene.Result
	Suggested     hygiene.Fields `json:"suggested"`
	Differs       bool           `json:"differs"`
	NeedsDecision bool           `json:"needs_decision"`
	Warnings      []string       `json:"warnings"`
}

func checkJSON(fc hygiene.FieldCheck) addressCheckJSON {
	w := fc.Warnings()
	if w == nil {
		w = []string{}
	}
	if fc.Result.Reasons == nil {
		fc.Result.Reasons = []string{}
	}
	return addressCheckJSON{Result: fc.Result, Suggested: fc.Suggested, Differs: fc.Differs, NeedsDecision: fc.NeedsDecision(), Warnings: w}
}

func suggestionVM(fc hygiene.FieldCheck) *views.Suggestion {
	return &views.Suggestion{Lines: fc.Result.Standardized.Lines, Status: string(fc.Result.Status), Warnings: fc.Warnings(), Differs: fc.Differs}
}

// verifyRequest is the body of POST /api/v1/addresses/verify: either the
// whole address in "address" or the structured fields.
type verifyRequest struct {
	Address *string `json:"address"`
	hygiene.Fields
}

// badJSON answers 400 naming the field that could not be read.
func badJSON(c fiber.Ctx, err error) error {
	field, msg := "body", "The request body is not valid JSON."
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		// The structured fields are embedded: report "line1", not "Fields.line1".
		field, msg = strings.TrimPrefix(te.Field, "Fields."), "This field must be a "+te.Type.String()+"."
	}
	return c.Status(fiber.StatusBadRequest).JSON(fiber.Map{"error": fiber.Map{"code": "bad_request", "field": field, "message": msg}})
}

// checkBody reads the address of a check request. answered reports that a
// 400 has already been written (unreadable JSON); err is then its result.
func (h *Handler) checkBody(c fiber.Ctx) (fc hygiene.FieldCheck, answered bool, err error) {
	var in verifyRequest
	if strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEApplicationJSON) {
		if err := json.Unmarshal(c.Body(), &in); err != nil {
			return hygiene.FieldCheck{}, true, badJSON(c, err)
		}
	} else {
		f := form(c, "address", "line1", "line2", "city", "state", "zip")
		if a := f.V("address"); a != "" {
			in.Address = &a
		}
		in.Fields = hygiene.Fields{Line1: f.V("line1"), Line2: f.V("line2"), City: f.V("city"), State: f.V("state"), ZIP: f.V("zip")}
	}
	if in.Address != nil && strings.TrimSpace(*in.Address) != "" {
		if len(*in.Address) > hygiene.MaxInputLen {
			return hygiene.FieldCheck{}, false, apperr.Invalid("address", "The address is too long.")
		}
		// One line holding the whole address: the suggestion splits it into fields.
		return h.d.Hygiene.CheckFields(hygiene.Fields{Line1: *in.Address}), false, nil
	}
	if strings.TrimSpace(in.Line1+in.Line2+in.City+in.State+in.ZIP) == "" {
		return hygiene.FieldCheck{}, false, apperr.Invalid("address", "Send the address as \"address\" or as line1, line2, city, state and zip.")
	}
	if len(in.Fields.Text()) > hygiene.MaxInputLen {
		return hygiene.FieldCheck{}, false, apperr.Invalid("line1", "The address is too long.")
	}
	return h.d.Hygiene.CheckFields(in.Fields), false, nil
}

// VerifyAddressAPI is POST /api/v1/addresses/verify.
func (h *Handler) VerifyAddressAPI(c fiber.Ctx) error {
	fc, answered, err := h.checkBody(c)
	if answered || err != nil {
		return err
	}
	return c.JSON(checkJSON(fc))
}

// CheckAddress is the live check behind the address forms (session + CSRF header).
func (h *Handler) CheckAddress(c fiber.Ctx) error {
	fc, answered, err := h.checkBody(c)
	if answered {
		return err
	}
	if err != nil {
		e, _ := apperr.As(err)
		return c.Status(fiber.StatusUnprocessableEntity).JSON(fiber.Map{"error": fiber.Map{"code": "invalid", "field": e.Field, "message": e.Message}})
	}
	// With a recipient name, a move found in the COA lists comes back as "moved".
	if mv := h.coaWarning(c, fc.Result); mv != nil {
		return c.JSON(struct {
			addressCheckJSON
			Moved *coaMoveJSON `json:"moved"`
		}{checkJSON(fc), mv})
	}
	return c.JSON(checkJSON(fc))
}
