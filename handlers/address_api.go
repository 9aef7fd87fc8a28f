package handlers

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/hygiene/address"
	"indicia/hygiene/addressbook"
	"indicia/web/request"
)

// addressJSON is an address-book entry as the API shows it.
type addressJSON struct {
	ID         int64     `json:"id"`
	ExternalID string    `json:"external_id"`
	Reference  string    `json:"reference"`
	Name       string    `json:"name"`
	Company    string    `json:"company"`
	Department string    `json:"department"`
	Line1      string    `json:"line1"`
	Line2      string    `json:"line2"`
	City       string    `json:"city"`
	State      string    `json:"state"`
	ZIP        string    `json:"zip"`
	ZIP4       string    `json:"zip4"`
	Email      string    `json:"email"`
	Phone      string    `json:"phone"`
	Status     string    `json:"status"`
	Checked    string    `json:"checked"`
	Reasons    []string  `json:"reasons"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

func toAddressJSON(e addressbook.Entry) addressJSON {
	r := e.Reasons
	if r == nil {
		r = []string{}
	}
	return addressJSON{ID: e.ID, ExternalID: e.ExternalID, Reference: e.Reference, Name: e.Name, Company: e.Company, Department: e.Department,
		Line1: e.Fields.Line1, Line2: e.Fields.Line2, City: e.Fields.City, State: e.Fields.State, ZIP: e.Fields.ZIP, ZIP4: e.ZIP4,
		Email: e.Email, Phone: e.Phone, Status: string(e.Status), Checked: address.CheckedFor(e.Status, e.DPV), Reasons: r, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
}

// addressBody is a create (every field optional but the address) or a
// partial update (only the fields sent change).
type addressBody struct {
	ExternalID *string `json:"external_id"`
	Reference  *string `json:"reference"`
	Name       *string `json:"name"`
	Company    *string `json:"company"`
	Department *string `json:"department"`
	Line1      *string `json:"line1"`
	Line2      *string `json:"line2"`
	City       *string `json:"city"`
	State      *string `json:"state"`
	ZIP        *string `json:"zip"`
	Email      *string `json:"email"`
	Phone      *string `json:"phone"`
	// Decision: "suggested" saves the standardized address, "mine" keeps it
	// as sent; omitted, the suggestion is saved when the address was found
	// (valid or corrected), as an import does.
	Decision string `json:"decision"`
}

// apply lays the body over in; addressChanged reports a change of address.
func (b addressBody) apply(in *addressbook.EntryInput) (addressChanged bool) {
	set := func(dst *string, v *string, addr bool) {
		if v != nil && *v != *dst {
			*dst = *v
			addressChanged = addressChanged || addr
		}
	}
	set(&in.ExternalID, b.ExternalID, false)
	set(&in.Reference, b.Reference, false)
	set(&in.Name, b.Name, false)
	set(&in.Company, b.Company, false)
	set(&in.Department, b.Department, false)
	set(&in.Email, b.Email, false)
	set(&in.Phone, b.Phone, false)
	set(&in.Fields.Line1, b.Line1, true)
	set(&in.Fields.Line2, b.Line2, true)
	set(&in.Fields.City, b.City, true)
	set(&in.Fields.State, b.State, true)
	set(&in.Fields.ZIP, b.ZIP, true)
	return addressChanged
}

func (h *Handler) apiDecision(b addressBody, in *addressbook.EntryInput) error {
	switch b.Decision {
	case addressbook.DecisionSuggested, addressbook.DecisionMine:
		in.Decision = b.Decision
	case "":
		if st := h.d.Addresses.Check(in.Fields).Result.Status; st == address.StatusValid || st == address.StatusCorrected {
			in.Decision = addressbook.DecisionSuggested
		} else {
			in.Decision = addressbook.DecisionMine
		}
	default:
		return apperr.Invalid("decision", `decision is "suggested" or "mine".`)
	}
	return nil
}

// APIAddresses is GET /api/v1/addresses: search (q), or one entry by the
// mailer's own id (external_id); offset and limit page.
func (h *Handler) APIAddresses(c fiber.Ctx) error {
	actor := *request.Actor(c)
	if ext := strings.TrimSpace(c.Query("external_id")); ext != "" {
		e, err := h.d.Addresses.ByExternalID(c.Context(), actor, ext)
		out := []addressJSON{}
		if err == nil {
			out = append(out, toAddressJSON(e))
		} else if apperr.KindOf(err) != apperr.KindNotFound {
			return err
		}
		return c.JSON(fiber.Map{"addresses": out, "total": len(out)})
	}
	offset, err := strconv.Atoi(c.Query("offset", "0"))
	if err != nil || offset < 0 {
		return apperr.Invalid("offset", "offset must be a whole number, 0 or more.")
	}
	limit, err := strconv.Atoi(c.Query("limit", "50"))
	if err != nil || limit < 1 || limit > 500 {
		return apperr.Invalid("limit", "limit must be a whole number from 1 to 500.")
	}
	list, total, err := h.d.Addresses.List(c.Context(), actor, c.Query("q"), offset, limit)
	if err != nil {
		return err
	}
	out := make([]addressJSON, 0, len(list))
	for _, e := range list {
		out = append(out, toAddressJSON(e))
	}
	return c.JSON(fiber.Map{"addresses": out, "total": total})
}

// APIAddress is GET /api/v1/addresses/:id.
func (h *Handler) APIAddress(c fiber.Ctx) error {
	id, err := entryID(c)
	if err != nil {
		return err
	}
	e, err := h.d.Addresses.Get(c.Context(), *request.Actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(toAddressJSON(e))
}

// APICreateAddress is POST /api/v1/addresses.
func (h *Handler) APICreateAddress(c fiber.Ctx) error {
	var b addressBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	var in addressbook.EntryInput
	b.apply(&in)
	if err := h.apiDecision(b, &in); err != nil {
		return err
	}
	e, err := h.d.Addresses.Create(c.Context(), *request.Actor(c), in)
	if err != nil {
		return err
	}
	h.coaBookChanged(c)
	c.Set(fiber.HeaderLocation, "/api/v1/addresses/"+strconv.FormatInt(e.ID, 10))
	return c.Status(fiber.StatusCreated).JSON(toAddressJSON(e))
}

// APIUpdateAddress is PATCH /api/v1/addresses/:id: only the fields sent change.
func (h *Handler) APIUpdateAddress(c fiber.Ctx) error {
	id, err := entryID(c)
	if err != nil {
		return err
	}
	var b addressBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	actor := *request.Actor(c)
	if err := addressbook.AuthorizeEdit(actor); err != nil {
		return err
	}
	old, err := h.d.Addresses.Get(c.Context(), actor, id)
	if err != nil {
		return err
	}
	in := addressbook.EntryInput{Name: old.Name, Company: old.Company, Department: old.Department, Email: old.Email, Phone: old.Phone,
		ExternalID: old.ExternalID, Reference: old.Reference, Fields: old.Fields, Decision: addressbook.DecisionMine}
	if b.apply(&in) || b.Decision != "" {
		if err := h.apiDecision(b, &in); err != nil {
			return err
		}
	}
	e, err := h.d.Addresses.Update(c.Context(), actor, id, in)
	if err != nil {
		return err
	}
	h.coaBookChanged(c)
	return c.JSON(toAddressJSON(e))
}

// APIDeleteAddress is DELETE /api/v1/addresses/:id.
func (h *Handler) APIDeleteAddress(c fiber.Ctx) error {
	id, err := entryID(c)
	if err != nil {
		return err
	}
	if err := h.d.Addresses.Delete(c.Context(), *request.Actor(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// APIImportAddresses is POST /api/v1/addresses/import: a CSV or XLSX file as
// multipart/form-data (field file) or as the whole body. Bad rows come back
// by line; the rest is imported.
func (h *Handler) APIImportAddresses(c fiber.Ctx) error {
	actor := *request.Actor(c)
	if err := addressbook.AuthorizeEdit(actor); err != nil {
		return err
	}
	im, _, err := openUpload(c, addressbook.AddressBookImportSpec)
	if err != nil {
		return apiUploadError(err)
	}
	defer im.Close()
	rep, err := h.d.Addresses.Import(c.Context(), actor, im.Importer)
	if err != nil {
		return apiUploadError(uploadError(err))
	}
	h.coaBookChanged(c)
	type badJSON struct {
		Line   int    `json:"line"`
		Reason string `json:"reason"`
	}
	bad := make([]badJSON, 0, len(rep.Bad))
	for _, b := range rep.Bad {
		bad = append(bad, badJSON{b.Line, b.Reason})
	}
	byStatus := map[string]int{}
	for st, n := range rep.ByStatus {
		byStatus[string(st)] = n
	}
	return c.JSON(fiber.Map{"imported": rep.Imported, "by_status": byStatus, "bad_count": rep.BadCount, "bad": bad})
}

// apiUploadError turns a refused file into the API's error at the field file.
func apiUploadError(err error) error {
	var ue *errUpload
	if errors.As(err, &ue) {
		if ue.status == fiber.StatusRequestEntityTooLarge {
			return &fiber.Error{Code: ue.status, Message: ue.msg}
		}
		return apperr.Invalid("file", ue.msg)
	}
	return err
}
