package handlers

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"

	"indicia/hygiene/address"
	"indicia/hygiene/addressbook"
	"indicia/views"
	"indicia/web/request"
)

const addressesPerPage = 50

func pageParam(c fiber.Ctx) int {
	p, err := strconv.Atoi(c.Query("page"))
	if err != nil || p < 1 {
		return 1
	}
	return p
}

func pageURL(base string, q url.Values, page int) string {
	q.Set("page", strconv.Itoa(page))
	return base + "?" + q.Encode()
}

func addressRow(e addressbook.Entry) views.AddressRow {
	return views.AddressRow{ID: strconv.FormatInt(e.ID, 10), Name: e.Name, Company: e.Company, Line1: e.Fields.Line1, Line2: e.Fields.Line2,
		LastLine: e.LastLine(), Status: address.StatusLabel(e.Status), Checked: address.CheckedFor(e.Status, e.DPV), Reasons: strings.Join(e.Reasons, "; ")}
}

// Addresses lists and searches the account's address book.
func (h *Handler) Addresses(c fiber.Ctx) error {
	return h.addressesPage(c, emptyForm(), fiber.StatusOK)
}

// addressesPage shows the address book with the save-as-group form gf
// (carrying its errors after a refused save).
func (h *Handler) addressesPage(c fiber.Ctx, gf views.Form, status int) error {
	actor := request.Actor(c)
	q := strings.TrimSpace(c.Query("q"))
	page := pageParam(c)
	list, total, err := h.d.Addresses.List(c.Context(), *actor, q, (page-1)*addressesPerPage, addressesPerPage)
	if err != nil {
		return err
	}
	groups, err := h.d.Addresses.Groups(c.Context(), *actor)
	if err != nil {
		return err
	}
	l := views.AddressList{Query: q, Total: total, Page: page, Last: (total + addressesPerPage - 1) / addressesPerPage, CanEdit: addressbook.CanEdit(*actor),
		GroupForm: gf}
	for _, e := range list {
		l.Rows = append(l.Rows, addressRow(e))
	}
	for _, g := range groups {
		l.Groups = append(l.Groups, views.GroupRow{ID: strconv.FormatInt(g.ID, 10), Name: g.Name, Members: g.Members})
	}
	params := url.Values{}
	if q != "" {
		params.Set("q", q)
	}
	if page > 1 {
		l.PrevURL = pageURL("/addresses", params, page-1)
	}
	if page < l.Last {
		l.NextURL = pageURL("/addresses", params, page+1)
	}
	return render(c, status, views.Addresses(h.Page(c, "Address book", "addresses"), l))
}
