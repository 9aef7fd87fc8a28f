package handlers

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/hygiene/addressbook"
	"indicia/web/request"
)

// addressGroupJSON is a saved group as the API shows it; entries are listed
// when one group is asked for.
type addressGroupJSON struct {
	ID        int64          `json:"id"`
	Name      string         `json:"name"`
	Members   int            `json:"members"`
	Entries   *[]addressJSON `json:"entries,omitempty"`
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at"`
}

func toGroupJSON(g addressbook.Group) addressGroupJSON {
	return addressGroupJSON{ID: g.ID, Name: g.Name, Members: g.Members, CreatedAt: g.CreatedAt, UpdatedAt: g.UpdatedAt}
}

// addressGroupBody creates a group (name, entry_ids) or changes one (name to
// rename; add and remove name entries).
type addressGroupBody struct {
	Name     string  `json:"name"`
	EntryIDs []int64 `json:"entry_ids"`
	Add      []int64 `json:"add"`
	Remove   []int64 `json:"remove"`
}

// APIAddressGroups is GET /api/v1/address-groups.
func (h *Handler) APIAddressGroups(c fiber.Ctx) error {
	list, err := h.d.Addresses.Groups(c.Context(), *request.Actor(c))
	if err != nil {
		return err
	}
	out := make([]addressGroupJSON, 0, len(list))
	for _, g := range list {
		out = append(out, toGroupJSON(g))
	}
	return c.JSON(fiber.Map{"groups": out})
}

// APIAddressGroup is GET /api/v1/address-groups/:id, with its entries.
func (h *Handler) APIAddressGroup(c fiber.Ctx) error {
	id, err := groupID(c.Params("id"))
	if err != nil {
		return err
	}
	g, members, err := h.d.Addresses.Group(c.Context(), *request.Actor(c), id)
	if err != nil {
		return err
	}
	entries := make([]addressJSON, 0, len(members))
	for _, e := range members {
		entries = append(entries, toAddressJSON(e))
	}
	out := toGroupJSON(g)
	out.Entries = &entries
	return c.JSON(out)
}

// APICreateAddressGroup is POST /api/v1/address-groups.
func (h *Handler) APICreateAddressGroup(c fiber.Ctx) error {
	var b addressGroupBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	g, err := h.d.Addresses.CreateGroup(c.Context(), *request.Actor(c), b.Name, b.EntryIDs)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderLocation, "/api/v1/address-groups/"+strconv.FormatInt(g.ID, 10))
	return c.Status(fiber.StatusCreated).JSON(toGroupJSON(g))
}

// APIUpdateAddressGroup is PATCH /api/v1/address-groups/:id: rename, add and
// remove members in one step, all or nothing.
func (h *Handler) APIUpdateAddressGroup(c fiber.Ctx) error {
	id, err := groupID(c.Params("id"))
	if err != nil {
		return err
	}
	var b addressGroupBody
	if err := decodeJSON(c, &b); err != nil {
		return err
	}
	if b.EntryIDs != nil {
		return apperr.Invalid("entry_ids", "To change members, send add and remove.")
	}
	g, err := h.d.Addresses.UpdateGroup(c.Context(), *request.Actor(c), id, addressbook.GroupChange{Name: b.Name, Add: b.Add, Remove: b.Remove})
	if err != nil {
		return err
	}
	return c.JSON(toGroupJSON(g))
}

// APIDeleteAddressGroup is DELETE /api/v1/address-groups/:id.
func (h *Handler) APIDeleteAddressGroup(c fiber.Ctx) error {
	id, err := groupID(c.Params("id"))
	if err != nil {
		return err
	}
	if err := h.d.Addresses.DeleteGroup(c.Context(), *request.Actor(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
