package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/hygiene/address"
	"indicia/hygiene/addressbook"
	"indicia/views"
	"indicia/web/request"
)

var addressFormFields = []string{"name", "company", "department", "line1", "line2", "city", "state", "zip", "email", "phone", "external_id", "reference", "decision", "decided"}

func entryID(c fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return 0, apperr.NotFound("No such address in your address book.")
	}
	return id, nil
}

func entryInput(f views.Form) addressbook.EntryInput {
	d := f.V("decision")
	if d == "" {
		d = f.V("decided") // set by the live check's buttons
	}
	return addressbook.EntryInput{Name: f.V("name"), Company: f.V("company"), Department: f.V("department"), Email: f.V("email"), Phone: f.V("phone"),
		ExternalID: f.V("external_id"), Reference: f.V("reference"),
		Fields: address.Fields{Line1: f.V("line1"), Line2: f.V("line2"), City: f.V("city"), State: f.V("state"), ZIP: f.V("zip")}, Decision: d}
}

func entryForm(e addressbook.Entry) views.Form {
	f := emptyForm()
	f.Values = map[string]string{"name": e.Name, "company": e.Company, "department": e.Department, "line1": e.Fields.Line1, "line2": e.Fields.Line2,
		"city": e.Fields.City, "state": e.Fields.State, "zip": e.Fields.ZIP, "email": e.Email, "phone": e.Phone,
		"external_id": e.ExternalID, "reference": e.Reference}
	return f
}

// ShowNewAddress renders an empty address form.
func (h *Handler) ShowNewAddress(c fiber.Ctx) error {
	if !addressbook.CanEdit(*request.Actor(c)) {
		return apperr.Forbidden("You need the \"Buy postage\" permission to change the address book.")
	}
	return render(c, fiber.StatusOK, views.AddressFormPage(h.Page(c, "New address", "addresses"),
		views.AddressForm{Action: "/addresses", Title: "New address", Form: emptyForm()}))
}

// saveAddress runs the no-JavaScript check: without a decision, an address
// the cleanser would change (or warns about) comes back with the suggestion.
func (h *Handler) saveAddress(c fiber.Ctx, a views.AddressForm, save func(addressbook.EntryInput) error) error {
	a.Form = form(c, addressFormFields...)
	in := entryInput(a.Form)
	if in.Decision == "" {
		if fc := h.d.Addresses.Check(in.Fields); fc.NeedsDecision() && in.Fields.Line1 != "" {
			a.Suggestion = suggestionVM(fc)
			return render(c, fiber.StatusUnprocessableEntity, views.AddressFormPage(h.Page(c, a.Title, "addresses"), a))
		}
	}
	if err := save(in); err != nil {
		if formError(&a.Form, err) {
			return render(c, fiber.StatusUnprocessableEntity, views.AddressFormPage(h.Page(c, a.Title, "addresses"), a))
		}
		return err
	}
	h.coaBookChanged(c)
	return h.redirectWith(c, "/addresses", "Address saved.")
}

// CreateAddress saves a new entry.
func (h *Handler) CreateAddress(c fiber.Ctx) error {
	actor := *request.Actor(c)
	return h.saveAddress(c, views.AddressForm{Action: "/addresses", Title: "New address"}, func(in addressbook.EntryInput) error {
		_, err := h.d.Addresses.Create(c.Context(), actor, in)
		return err
	})
}

func historyLines(list []addressbook.HistoryEntry) []string {
	var out []string
	for _, x := range list {
		out = append(out, x.ReplacedAt.UTC().Format("2006-01-02")+" ("+x.Source+"): "+addressbook.Entry{Fields: x.Fields, ZIP4: x.ZIP4}.OneLine())
	}
	return out
}

func (h *Handler) editForm(c fiber.Ctx, id int64) (views.AddressForm, error) {
	base := "/addresses/" + strconv.FormatInt(id, 10)
	hist, err := h.d.Addresses.History(c.Context(), *request.Actor(c), id)
	if err != nil {
		return views.AddressForm{}, err
	}
	return views.AddressForm{Action: base, Title: "Edit address", DeleteURL: base + "/delete", History: historyLines(hist)}, nil
}

// ShowAddress renders an entry: the edit form, or a read-only view for users
// who may not edit.
func (h *Handler) ShowAddress(c fiber.Ctx) error {
	id, err := entryID(c)
	if err != nil {
		return err
	}
	e, err := h.d.Addresses.Get(c.Context(), *request.Actor(c), id)
	if err != nil {
		return err
	}
	a, err := h.editForm(c, id)
	if err != nil {
		return err
	}
	a.Form = entryForm(e)
	if !addressbook.CanEdit(*request.Actor(c)) {
		a.Title = "Address"
		return render(c, fiber.StatusOK, views.AddressView(h.Page(c, "Address", "addresses"), a))
	}
	return render(c, fiber.StatusOK, views.AddressFormPage(h.Page(c, "Edit address", "addresses"), a))
}

// UpdateAddress saves an edit; the previous address goes to the history.
func (h *Handler) UpdateAddress(c fiber.Ctx) error {
	id, err := entryID(c)
	if err != nil {
		return err
	}
	actor := *request.Actor(c)
	if !addressbook.CanEdit(actor) {
		return apperr.Forbidden("You need the \"Buy postage\" permission to change the address book.")
	}
	a, err := h.editForm(c, id)
	if err != nil {
		return err
	}
	return h.saveAddress(c, a, func(in addressbook.EntryInput) error {
		_, err := h.d.Addresses.Update(c.Context(), actor, id, in)
		return err
	})
}

// DeleteAddress removes an entry.
func (h *Handler) DeleteAddress(c fiber.Ctx) error {
	id, err := entryID(c)
	if err != nil {
		return err
	}
	if err := h.d.Addresses.Delete(c.Context(), *request.Actor(c), id); err != nil {
		return err
	}
	return h.redirectWith(c, "/addresses", "Address deleted.")
}
