package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/web/request"
)

// apiShipFromInput is a ship-from address sent to the API; fields left out
// of a PATCH stay as they are.
type apiShipFromInput struct {
	Nickname *string `json:"nickname"`
	Name     *string `json:"name"`
	Company  *string `json:"company"`
	Address  *string `json:"address"`
	Default  *bool   `json:"default"`
	Archived *bool   `json:"archived"`
}

// APIShipFromList lists the account's ship-from addresses (archived ones
// with ?archived=true).
func (h *Handler) APIShipFromList(c fiber.Ctx) error {
	ra, err := h.returnAddresses()
	if err != nil {
		return err
	}
	withArchived := false
	if v := c.Query("archived"); v != "" {
		if withArchived, err = strconv.ParseBool(v); err != nil {
			return apperr.Invalid("archived", "Use archived=true or archived=false.")
		}
	}
	list, err := ra.List(c.Context(), *request.Actor(c), withArchived)
	if err != nil {
		return err
	}
	if list == nil {
		list = []accounts.ReturnAddress{}
	}
	return c.JSON(fiber.Map{"ship_from_addresses": list})
}

// APIShipFromCreate adds a ship-from address, cleansed; the account's
// first one becomes the default.
func (h *Handler) APIShipFromCreate(c fiber.Ctx) error {
	ra, err := h.returnAddresses()
	if err != nil {
		return err
	}
	var in apiShipFromInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.Archived != nil {
		return apperr.Invalid("archived", "A new address cannot be archived.")
	}
	a, err := ra.Create(c.Context(), *request.Actor(c), accounts.ReturnAddressInput{Nickname: in.Nickname, Name: in.Name, Company: in.Company, Address: in.Address, Default: in.Default})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(a)
}

// APIShipFromGet returns one ship-from address.
func (h *Handler) APIShipFromGet(c fiber.Ctx) error {
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
	return c.JSON(a)
}

// APIShipFromUpdate edits a ship-from address, makes it the default, or
// archives or restores it.
func (h *Handler) APIShipFromUpdate(c fiber.Ctx) error {
	ra, err := h.returnAddresses()
	if err != nil {
		return err
	}
	id, err := shipFromID(c)
	if err != nil {
		return err
	}
	var in apiShipFromInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	u := *request.Actor(c)
	if in.Archived != nil && *in.Archived {
		if in.Nickname != nil || in.Name != nil || in.Company != nil || in.Address != nil || in.Default != nil {
			return apperr.Invalid("archived", "Archive an address on its own, without other changes.")
		}
		a, err := ra.SetArchived(c.Context(), u, id, true)
		if err != nil {
			return err
		}
		return c.JSON(a)
	}
	if in.Archived != nil {
		if _, err := ra.SetArchived(c.Context(), u, id, false); err != nil {
			return err
		}
	}
	a, err := ra.Update(c.Context(), u, id, accounts.ReturnAddressInput{Nickname: in.Nickname, Name: in.Name, Company: in.Company, Address: in.Address, Default: in.Default})
	if err != nil {
		return err
	}
	return c.JSON(a)
}
