package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/hygiene/addressbook"
	"indicia/views"
	"indicia/web/request"
)

func groupID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFound("No such group in your address book.")
	}
	return id, nil
}

// entryIDs reads ticked entries; a value that is not an id is refused at field.
func entryIDs(vals []string, field string) ([]int64, error) {
	out := make([]int64, 0, len(vals))
	for _, v := range vals {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, apperr.Invalid(field, "Choose addresses from the list.")
		}
		out = append(out, id)
	}
	return out, nil
}

// groupFormError shows the address book again with a refused group change
// at its field; other errors go to the error page.
func (h *Handler) groupFormError(c fiber.Ctx, f views.Form, err error) error {
	ae, ok := apperr.As(err)
	if !ok || (ae.Kind != apperr.KindInvalid && ae.Kind != apperr.KindConflict) {
		return err
	}
	field := ae.Field
	if field == "" {
		field = "name"
	}
	f.Errors[field] = ae.Message
	return h.addressesPage(c, f, apperr.HTTPStatus(ae.Kind))
}

// CreateAddressGroup saves the ticked entries of the address book as a new
// named group.
func (h *Handler) CreateAddressGroup(c fiber.Ctx) error {
	f := form(c, "name")
	ids, err := entryIDs(formMulti(c, "entry_ids"), "entry_ids")
	if err == nil && len(ids) == 0 {
		err = apperr.Invalid("entry_ids", "Tick the addresses the group holds.")
	}
	if err != nil {
		return h.groupFormError(c, f, err)
	}
	g, err := h.d.Addresses.CreateGroup(c.Context(), *request.Actor(c), f.V("name"), ids)
	if err != nil {
		return h.groupFormError(c, f, err)
	}
	return h.redirectWith(c, "/addresses/groups/"+strconv.FormatInt(g.ID, 10), "Group saved.")
}

// AddToAddressGroup adds the ticked entries of the address book to a saved
// group.
func (h *Handler) AddToAddressGroup(c fiber.Ctx) error {
	f := form(c, "name", "group_id")
	gid, err := groupID(f.V("group_id"))
	if err != nil {
		return err
	}
	ids, err := entryIDs(formMulti(c, "entry_ids"), "entry_ids")
	if err == nil && len(ids) == 0 {
		err = apperr.Invalid("entry_ids", "Tick the addresses to add.")
	}
	if err != nil {
		return h.groupFormError(c, f, err)
	}
	if _, err := h.d.Addresses.UpdateGroup(c.Context(), *request.Actor(c), gid, addressbook.GroupChange{Add: ids}); err != nil {
		return h.groupFormError(c, f, err)
	}
	return h.redirectWith(c, "/addresses/groups/"+strconv.FormatInt(gid, 10), "Added to the group.")
}

// AddressGroup shows a saved group: its members, rename, remove, delete.
func (h *Handler) AddressGroup(c fiber.Ctx) error {
	return h.addressGroupPage(c, emptyForm(), fiber.StatusOK)
}

func (h *Handler) addressGroupPage(c fiber.Ctx, f views.Form, status int) error {
	id, err := groupID(c.Params("id"))
	if err != nil {
		return err
	}
	actor := *request.Actor(c)
	g, members, err := h.d.Addresses.Group(c.Context(), actor, id)
	if err != nil {
		return err
	}
	if _, ok := f.Values["name"]; !ok {
		f.Values["name"] = g.Name
	}
	vm := views.AddressGroupVM{ID: strconv.FormatInt(g.ID, 10), Name: g.Name, Form: f, CanEdit: addressbook.CanEdit(actor)}
	for _, e := range members {
		vm.Members = append(vm.Members, addressRow(e))
	}
	return render(c, status, views.AddressGroup(h.Page(c, "Group "+g.Name, "addresses"), vm))
}

// UpdateAddressGroup renames a group (action=rename) or removes the ticked
// members (action=remove).
func (h *Handler) UpdateAddressGroup(c fiber.Ctx) error {
	id, err := groupID(c.Params("id"))
	if err != nil {
		return err
	}
	f := form(c, "name", "action")
	var ch addressbook.GroupChange
	msg := "Group renamed."
	if f.V("action") == "remove" {
		if ch.Remove, err = entryIDs(formMulti(c, "remove_ids"), "name"); err != nil {
			return err
		}
		msg = "Removed from the group."
	} else {
		ch.Name = f.V("name")
		if ch.Name == "" {
			err = apperr.Invalid("name", "Enter a name for the group.")
		}
	}
	if err == nil {
		_, err = h.d.Addresses.UpdateGroup(c.Context(), *request.Actor(c), id, ch)
	}
	if ae, ok := apperr.As(err); ok && (ae.Kind == apperr.KindInvalid || ae.Kind == apperr.KindConflict) {
		f.Errors["name"] = ae.Message
		return h.addressGroupPage(c, f, apperr.HTTPStatus(ae.Kind))
	}
	if err != nil {
		return err
	}
	return h.redirectWith(c, "/addresses/groups/"+strconv.FormatInt(id, 10), msg)
}

// DeleteAddressGroup deletes a group; its entries stay in the book.
func (h *Handler) DeleteAddressGroup(c fiber.Ctx) error {
	id, err := groupID(c.Params("id"))
	if err != nil {
		return err
	}
	if err := h.d.Addresses.DeleteGroup(c.Context(), *request.Actor(c), id); err != nil {
		return err
	}
	return h.redirectWith(c, "/addresses", "Group deleted.")
}
