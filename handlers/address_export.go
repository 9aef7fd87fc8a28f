package handlers

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v3"

	"indicia/hygiene/addressbook"
	"indicia/web/request"
)

// ExportAddresses downloads the address book as CSV or XLSX, with the same
// columns an import reads (external_id and reference among them), plus zip4,
// status and the entry's id, by which the API and matches name it.
func (h *Handler) ExportAddresses(c fiber.Ctx) error {
	actor := *request.Actor(c)
	if _, _, err := h.d.Addresses.List(c.Context(), actor, "", 0, 1); err != nil {
		return err
	}
	header := append(append([]string{}, addressbook.AddressBookColumns...), "zip4", "status", "id")
	book := h.d.Addresses
	return streamTable(c, c.Query("format"), "address-book", header, func(ctx context.Context, emit func([]string) error) error {
		return book.Each(ctx, actor, func(e addressbook.Entry) error {
			return emit([]string{e.Name, e.Company, e.Fields.Line1, e.Fields.Line2, e.Fields.City, e.Fields.State, e.Fields.ZIP,
				e.Email, e.Phone, e.Department, e.ExternalID, e.Reference, e.ZIP4, string(e.Status), strconv.FormatInt(e.ID, 10)})
		})
	})
}
