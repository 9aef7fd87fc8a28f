package handlers

import (
	"strings"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/hygiene/address"
	"indicia/views"
)

// addressCheckJSON is what the live check and the API return.
type addressCheckJSON struct {
	address.Result
	Suggested     address.Fields `json:"suggested"`
	Differs       bool           `json:"differs"`
	NeedsDecision bool           `json:"needs_decision"`
	Warnings      []string       `json:"warnings"`
}

func checkJSON(fc address.FieldCheck) addressCheckJSON {
	w := fc.Warnings()
	if w == nil {
		w = []string{}
	}
	if fc.Result.Reasons == nil {
		fc.Result.Reasons = []string{}
	}
	return addressCheckJSON{Result: fc.Result, Suggested: fc.Suggested, Differs: fc.Differs, NeedsDecision: fc.NeedsDecision(), Warnings: w}
}

func suggestionVM(fc address.FieldCheck) *views.Suggestion {
	return &views.Suggestion{Lines: fc.Result.Standardized.Lines, Status: string(fc.Result.Status), Warnings: fc.Warnings(), Differs: fc.Differs,
		Checked: fc.Result.Checked}
}

// verifyRequest is the body of POST /api/v1/addresses/verify: either the
// whole address in "address" or the structured fields. The fields are spelt
// out rather than embedding address.Fields so a decoding error names "line1",
// not "Fields.line1".
type verifyRequest struct {
	Address *string `json:"address"`
	Line1   string  `json:"line1"`
	Line2   string  `json:"line2"`
	City    string  `json:"city"`
	State   string  `json:"state"`
	ZIP     string  `json:"zip"`
}

// checkBody reads the address of a check request. A JSON body is decoded
// strictly like every API body, so a misspelt field ("adress") is a 400 naming
// it, not a 422 saying no address was sent.
func (h *Handler) checkBody(c fiber.Ctx) (address.FieldCheck, error) {
	var in verifyRequest
	if strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEApplicationJSON) {
		if err := decodeJSON(c, &in); err != nil {
			if e, ok := apperr.As(err); ok && e.Field == "" {
				// Documented for this endpoint: unreadable JSON is reported at "body".
				e.Field = "body"
			}
			return address.FieldCheck{}, err
		}
	} else {
		f := form(c, "address", "line1", "line2", "city", "state", "zip")
		if a := f.V("address"); a != "" {
			in.Address = &a
		}
		in = verifyRequest{Address: in.Address, Line1: f.V("line1"), Line2: f.V("line2"), City: f.V("city"), State: f.V("state"), ZIP: f.V("zip")}
	}
	fields := address.Fields{Line1: in.Line1, Line2: in.Line2, City: in.City, State: in.State, ZIP: in.ZIP}
	if in.Address != nil && strings.TrimSpace(*in.Address) != "" {
		if len(*in.Address) > address.MaxInputLen {
			return address.FieldCheck{}, apperr.Invalid("address", "The address is too long.")
		}
		// One line holding the whole address: the suggestion splits it into fields.
		return h.d.Hygiene.CheckFields(address.Fields{Line1: *in.Address}), nil
	}
	if strings.TrimSpace(in.Line1+in.Line2+in.City+in.State+in.ZIP) == "" {
		return address.FieldCheck{}, apperr.Invalid("address", "Send the address as \"address\" or as line1, line2, city, state and zip.")
	}
	if len(fields.Text()) > address.MaxInputLen {
		return address.FieldCheck{}, apperr.Invalid("line1", "The address is too long.")
	}
	return h.d.Hygiene.CheckFields(fields), nil
}

// VerifyAddressAPI is POST /api/v1/addresses/verify.
func (h *Handler) VerifyAddressAPI(c fiber.Ctx) error {
	fc, err := h.checkBody(c)
	if err != nil {
		return err
	}
	return c.JSON(checkJSON(fc))
}

// CheckAddress is the live check behind the address forms (session + CSRF header).
func (h *Handler) CheckAddress(c fiber.Ctx) error {
	fc, err := h.checkBody(c)
	if err != nil {
		e, _ := apperr.As(err)
		if e.Code == "invalid_json" {
			return c.Status(fiber.StatusBadRequest).JSON(fiber.Map{"error": fiber.Map{"code": e.Code, "field": e.Field, "message": e.Message}})
		}
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
