package handlers

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/views"
	"indicia/web/request"
)

// shipFromFields are the inputs of a ship-from address form.
var shipFromFields = []string{"nickname", "name", "company", "address", "default"}

// returnAddresses is the store, or an unavailable error when address
// cleansing is off (the address could not be checked).
func (h *Handler) returnAddresses() (*accounts.ReturnAddresses, error) {
	if h.d.ReturnAddresses == nil {
		return nil, apperr.Unavailable("Ship-from addresses need address cleansing, which is not available right now.", nil)
	}
	return h.d.ReturnAddresses, nil
}

// ShipFrom is the account's ship-from addresses page.
func (h *Handler) ShipFrom(c fiber.Ctx) error {
	return h.renderShipFrom(c, fiber.StatusOK, emptyForm())
}

func (h *Handler) renderShipFrom(c fiber.Ctx, status int, nf views.Form) error {
	ra, err := h.returnAddresses()
	if err != nil {
		return err
	}
	list, err := ra.List(c.Context(), *request.Actor(c), true)
	if err != nil {
		return err
	}
	vm := views.ShipFromVM{New: nf}
	for _, a := range list {
		row := views.ShipFromRow{ID: strconv.FormatInt(a.ID, 10), Nickname: a.Nickname, Lines: strings.Join(a.Lines, ", "),
			Status: "Active", Default: a.Default, Archived: a.Archived()}
		switch {
		case a.Default:
			row.Status = "Default"
		case a.Archived():
			row.Status = "Archived " + a.ArchivedAt.UTC().Format("2006-01-02")
		}
		vm.Rows = append(vm.Rows, row)
	}
	return render(c, status, views.ShipFrom(h.Page(c, "Ship-from addresses", "ship-from"), vm))
}

// shipFromInput reads a ship-from form.
func shipFromInput(f views.Form) accounts.ReturnAddressInput {
	in := accounts.ReturnAddressInput{Nickname: ptr(f.V("nickname")), Name: ptr(f.V("name")), Company: ptr(f.V("company")), Address: ptr(f.V("address"))}
	if f.V("default") != "" {
		in.Default = ptr(true)
	}
	return in
}

// CreateShipFrom adds a ship-from address from the page.
func (h *Handler) CreateShipFrom(c fiber.Ctx) error {
	ra, err := h.returnAddresses()
	if err != nil {
		return err
	}
	f := form(c, shipFromFields...)
	a, err := ra.Create(c.Context(), *request.Actor(c), shipFromInput(f))
	if formError(&f, err) {
		return h.renderShipFrom(c, fiber.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	return h.redirectWith(c, "/account/ship-from", "Ship-from address "+a.Nickname+" added.")
}

// shipFromID reads the :id of a ship-from route.
func shipFromID(c fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return 0, apperr.NotFound("No such ship-from address.")
	}
	return id, nil
}

// ShowEditShipFrom is the form that edits one ship-from address.
func (h *Handler) ShowEditShipFrom(c fiber.Ctx) error {
	ra, err := h.returnAddresses()
	if err != nil {
		return err
	}
	id, err := shipFromID(c)
	if err != nil {
		return err
	}
	a, err := ra.Get(c.Context(), *request.Actor(c), id)
	if err != nil {
		return err
	}
	f := emptyForm()
	f.Values["nickname"], f.Values["name"], f.Values["company"], f.Values["address"] = a.Nickname, a.Name, a.Company, a.Address
	return render(c, fiber.StatusOK, views.ShipFromEdit(h.Page(c, "Edit a ship-from address", "ship-from"), views.ShipFromEditVM{ID: c.Params("id"), Form: f}))
}

// EditShipFrom saves the edit form.
func (h *Handler) EditShipFrom(c fiber.Ctx) error {
	ra, err := h.returnAddresses()
	if err != nil {
		return err
	}
	id, err := shipFromID(c)
	if err != nil {
		return err
	}
	f := form(c, shipFromFields...)
	in := shipFromInput(f)
	in.Default = nil
	a, err := ra.Update(c.Context(), *request.Actor(c), id, in)
	if formError(&f, err) {
		return render(c, fiber.StatusUnprocessableEntity, views.ShipFromEdit(h.Page(c, "Edit a ship-from address", "ship-from"), views.ShipFromEditVM{ID: c.Params("id"), Form: f}))
	}
	if err != nil {
		return err
	}
	return h.redirectWith(c, "/account/ship-from", "Ship-from address "+a.Nickname+" saved.")
}

// SetShipFromState makes a ship-from address the default, archives it or
// restores it.
func (h *Handler) SetShipFromState(c fiber.Ctx) error {
	ra, err := h.returnAddresses()
	if err != nil {
		return err
	}
	id, err := shipFromID(c)
	if err != nil {
		return err
	}
	u := *request.Actor(c)
	var a accounts.ReturnAddress
	var flash string
	switch c.FormValue("state") {
	case "default":
		a, err = ra.Update(c.Context(), u, id, accounts.ReturnAddressInput{Default: ptr(true)})
		flash = " is now the default."
	case "archive":
		a, err = ra.SetArchived(c.Context(), u, id, true)
		flash = " archived."
	case "restore":
		a, err = ra.SetArchived(c.Context(), u, id, false)
		flash = " restored."
	default:
		err = apperr.Invalid("state", "Choose default, archive or restore.")
	}
	if err != nil {
		return err
	}
	return h.redirectWith(c, "/account/ship-from", "Ship-from address "+a.Nickname+flash)
}
