package handlers

import (
	"strings"

	"github.com/gofiber/fiber/v3"

	"indicia/metering/rating"
	"indicia/views"
	"indicia/web/request"
)

// queryForm collects the named values of a GET form.
func queryForm(c fiber.Ctx, names ...string) views.Form {
	f := emptyForm()
	for _, n := range names {
		f.Values[n] = strings.TrimSpace(c.Query(n))
	}
	return f
}

// queryMulti returns every value of a repeated query parameter.
func queryMulti(c fiber.Ctx, name string) []string {
	var out []string
	for _, v := range c.RequestCtx().QueryArgs().PeekMulti(name) {
		out = append(out, string(v))
	}
	return out
}

// Rates compares every class for a piece (GET form, so it works without
// JavaScript and a comparison can be bookmarked). Nothing is bought.
func (h *Handler) Rates(c fiber.Ctx) error {
	u := *request.Actor(c)
	f := queryForm(c, pieceFields...)
	services := queryMulti(c, "services")
	vm := views.RatesVM{Form: f, Services: serviceOptions(services), Versions: h.d.Rater.Versions()}
	if f.V("origin_zip") == "" {
		if a, err := h.d.Accounts.Account(c.Context(), u, u.AccountID); err == nil {
			f.Values["origin_zip"] = a.OriginZIP
		}
	}
	status := fiber.StatusOK
	if f.V("weight_lb") != "" || f.V("weight_oz") != "" || f.V("dest_zip") != "" || f.V("country") != "" {
		p, err := pieceFromForm(f, services)
		if err == nil {
			vm.Quotes, err = h.compare(p)
		}
		if err != nil {
			if !formError(&f, err) {
				return err
			}
			status = fiber.StatusUnprocessableEntity
		} else {
			vm.Rated = true
			vm.Buy = rateBuyLinks(f, services, vm.Quotes)
		}
	}
	return render(c, status, views.Rates(h.Page(c, "Compare prices", "rates"), vm))
}

func (h *Handler) compare(p rating.Piece) ([]views.QuoteVM, error) {
	qs, err := comparePiece(h.d.Rater, p, "")
	if err != nil {
		return nil, err
	}
	out := make([]views.QuoteVM, 0, len(qs))
	for _, q := range qs {
		out = append(out, quoteVM(q))
	}
	return out, nil
}
