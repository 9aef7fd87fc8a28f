package handlers

import (
	"context"
	"regexp"
	"strconv"
	"strings"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/hygiene/address"
	"indicia/metering"
	"indicia/postage"
	"indicia/views"
)

// purchaseOrder reads the purchase form as an order of one rated piece on
// meter m; the form's one-time token is the idempotency key.
func (h *Handler) purchaseOrder(ctx context.Context, u accounts.User, f views.Form, services []string, m metering.Meter) (postage.Order, error) {
	name, company, address := f.V("recipient_name"), f.V("recipient_company"), f.V("recipient_address")
	if id := f.V("book_id"); id != "" && address == "" && h.d.Addresses != nil {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return postage.Order{}, apperr.Invalid("book_id", "Choose an entry of the address book.")
		}
		e, err := h.d.Addresses.Get(ctx, u, n)
		if err != nil {
			return postage.Order{}, apperr.Invalid("book_id", "That address-book entry is gone; choose another.")
		}
		name, company, address = e.Name, e.Company, e.OneLine()
		f.Values["recipient_name"], f.Values["recipient_company"], f.Values["recipient_address"] = name, company, address
	}
	p, err := pieceFromForm(f, services)
	if err != nil {
		return postage.Order{}, err
	}
	var shipFrom int64
	if v := f.V("ship_from_id"); v != "" {
		if shipFrom, err = strconv.ParseInt(v, 10, 64); err != nil {
			return postage.Order{}, apperr.Invalid("ship_from_id", "Choose one of the account's ship-from addresses.")
		}
	}
	// The destination is the cleansed recipient's; only a floating meter takes the form's origin.
	p.DestZIP, p.Country = "", ""
	if !m.Floating() {
		p.OriginZIP = ""
	}
	return postage.Order{Meter: m, IdempotencyKey: webKeyPrefix + f.V("token"), PriceOnly: f.V("action") != "buy", Pieces: []postage.Piece{{
		Recipient: postage.Recipient{Name: name, Company: company, Address: address, Country: strings.ToUpper(strings.TrimSpace(f.V("country")))}, Rated: true, Spec: p, AcceptMoved: f.V("coa_ack") != "",
		CostCode: f.V("cost_code"), Reference: f.V("reference"), ShipFromID: shipFrom}}}, nil
}

// quoteForm prices the purchase form; errors name the form's fields.
func (h *Handler) quoteForm(ctx context.Context, u accounts.User, f views.Form, services []string, m metering.Meter) (postage.Quote, error) {
	o, err := h.purchaseOrder(ctx, u, f, services, m)
	if err != nil {
		return postage.Quote{}, err
	}
	q, err := h.d.Postage.Quote(ctx, u, o)
	return q, formFieldError(err)
}

// formFields names the purchase form's inputs for the purchase's fields.
var formFields = map[string]string{"recipient.address": "recipient_address", "recipient.country": "country", "recipient.name": "recipient_name", "recipient.company": "recipient_company", "weight_oz": "weight", "mail_class": "class"}

// formFieldError renames an invalid field of a purchase error to the form's
// input, keeping its code and details (the candidate ZIPs).
func formFieldError(err error) error {
	if ae, ok := apperr.As(err); ok && ae.Kind == apperr.KindInvalid {
		if n, ok := formFields[ae.Field]; ok {
			e := apperr.Invalid(n, ae.Message)
			e.Code, e.Details = ae.Code, ae.Details
			return e
		}
	}
	return err
}

var zipChoiceRe = regexp.MustCompile(`^\d{5}$`)

// applyZIPChoice writes the ZIP the mailer chose among the candidates into
// the typed address, so the form is priced and shown with it.
func applyZIPChoice(f views.Form) {
	if z := f.V("zip_choice"); zipChoiceRe.MatchString(z) && f.V("recipient_address") != "" {
		f.Values["recipient_address"] = address.WithZIP(f.V("recipient_address"), z)
	}
	delete(f.Values, "zip_choice")
}

// zipChoices are the candidate ZIPs an error offers (postage.CodeZIPChoice).
func zipChoices(err error) []string {
	if ae, ok := apperr.As(err); ok && ae.Code == postage.CodeZIPChoice {
		z, _ := ae.Details["candidate_zips"].([]string)
		return z
	}
	return nil
}
