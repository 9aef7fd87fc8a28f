package handlers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/hygiene/intl"
	"indicia/metering"
	"indicia/metering/rating"
	"indicia/views"
)

// purchaseFields are the single-valued inputs of the purchase form.
var purchaseFields = append([]string{"token", "action", "meter_id", "book_id", "recipient_name", "recipient_company", "recipient_address", "zip_choice", "country", "use_new_address", "coa_ack", "cost_code", "reference", "ship_from_id", "preset_id"}, pieceFields...)

// webKeyPrefix keeps the purchase form's one-time tokens apart from API
// clients' Idempotency-Keys in the account's key space.
const webKeyPrefix = "web:"

// newFormToken makes the one-time token a purchase form carries; a double
// submit of the same form reuses it and so buys once.
func newFormToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return hex.EncodeToString(b)
}

// domesticClassOptions lists the classes a cleansed (US) recipient can take.
func domesticClassOptions(chosen string) []views.Option {
	out := classOptions(chosen)
	return slices.DeleteFunc(out, func(o views.Option) bool {
		return o.Value == rating.ClassIntlLetter || o.Value == rating.ClassIntlLargeEnvelope
	})
}

// purchaseClassOptions lists the classes the form offers: the domestic ones
// for a US recipient; with another country chosen, the international
// classes first. The page works without script, so a class that does not
// fit the country is refused at the class field rather than hidden.
func purchaseClassOptions(country, chosen string) []views.Option {
	if !abroad(country) {
		return domesticClassOptions(chosen)
	}
	all := classOptions(chosen)
	out := slices.DeleteFunc(slices.Clone(all), func(o views.Option) bool {
		return o.Value != rating.ClassIntlLetter && o.Value != rating.ClassIntlLargeEnvelope
	})
	return append(out, domesticClassOptions(chosen)...)
}

// abroad reports whether the form's country is another than the United States.
func abroad(country string) bool {
	c := strings.ToUpper(strings.TrimSpace(country))
	return c != "" && !intl.Domestic(c)
}

// countryOptions lists the recipient's country choice, the United States first.
func countryOptions(chosen string) []views.Option {
	chosen = strings.ToUpper(strings.TrimSpace(chosen))
	if chosen == "" {
		chosen = "US"
	}
	cs := intl.Choices()
	out := make([]views.Option, 0, len(cs))
	for _, c := range cs {
		out = append(out, views.Option{Value: c.Code, Label: c.Name, Selected: c.Code == chosen})
	}
	return out
}

// purchaseMeter is the meter that pays for a purchase form, and the
// account's active meters the page offers (see postage.ChooseMeter). A
// meter_id that is not one of them puts the default meter back in the form.
func (h *Handler) purchaseMeter(ctx context.Context, u accounts.User, f views.Form) (metering.Meter, []metering.Meter, error) {
	m, meters, err := h.d.Postage.ChooseMeter(ctx, u, f.V("meter_id"))
	if ae, ok := apperr.As(err); ok && ae.Field == "meter_id" {
		f.Values["meter_id"] = strconv.FormatInt(m.ID, 10)
	}
	return m, meters, err
}

// meterOptions lists the account's meters for the meter choice: serial,
// origin and balance, so the mailer sees which one has the funds.
func meterOptions(meters []metering.Meter, chosen int64) []views.Option {
	out := make([]views.Option, 0, len(meters))
	for _, m := range meters {
		origin := "origin ZIP " + m.Record.OriginZIP
		if m.Floating() {
			origin = "floating: choose the origin"
		}
		out = append(out, views.Option{Value: strconv.FormatInt(m.ID, 10), Selected: m.ID == chosen,
			Label: m.Record.Serial + " · " + origin + " · balance " + views.Money(m.Record.DR)})
	}
	return out
}

// purchaseVM fills what every rendering of the purchase page shows: the
// meter, the address book and the choices. It returns the meter that pays;
// an error about the meter choice comes with the page filled in.
func (h *Handler) purchaseVM(ctx context.Context, u accounts.User, f views.Form, services []string) (views.PurchaseVM, metering.Meter, error) {
	if f.V("token") == "" {
		f.Values["token"] = newFormToken()
	}
	if f.V("class") == "" {
		f.Values["class"] = rating.ClassFirstClassLetter
	}
	vm := views.PurchaseVM{Form: f, Token: f.V("token"), Classes: purchaseClassOptions(f.V("country"), f.V("class")), Services: serviceOptions(services),
		Countries: countryOptions(f.V("country"))}
	var err error
	if vm.CostCodes, err = h.costCodeOptions(ctx, u, f.V("cost_code")); err != nil {
		return vm, metering.Meter{}, err
	}
	m, meters, meterErr := h.purchaseMeter(ctx, u, f)
	if m.ID == 0 {
		return vm, m, meterErr
	}
	vm.Meter, vm.Balance, vm.Floating, vm.OriginZIP = m.Record.Serial, views.Money(m.Record.DR), m.Floating(), m.Record.OriginZIP
	if len(meters) > 1 {
		vm.Meters = meterOptions(meters, m.ID)
		for _, o := range meters {
			if o.Floating() {
				vm.FloatingMeters = append(vm.FloatingMeters, strconv.FormatInt(o.ID, 10))
			}
		}
	}
	// Trickle charge: the card pays each purchase at print time, postage plus the fee.
	fee, err := h.d.Postage.CardFee(ctx, m.ID, 1)
	if err != nil {
		return vm, m, err
	}
	vm.TrickleFee = fee
	if vm.ShipFrom, err = h.shipFromOptions(ctx, u, f.V("ship_from_id")); err != nil {
		return vm, m, err
	}
	if vm.Presets, err = h.presetOptions(ctx, u, f.V("preset_id")); err != nil {
		return vm, m, err
	}
	if h.d.Addresses != nil {
		entries, _, err := h.d.Addresses.List(ctx, u, "", 0, 200)
		if err != nil {
			return vm, m, err
		}
		for _, e := range entries {
			label := e.Name
			if e.Company != "" {
				label += ", " + e.Company
			}
			id := strconv.FormatInt(e.ID, 10)
			vm.Book = append(vm.Book, views.BookEntry{ID: id, Label: label + " — " + e.OneLine(), Name: e.Name, Company: e.Company,
				Address: e.OneLine(), Selected: id == f.V("book_id")})
		}
	}
	return vm, m, meterErr
}

// costCodeOptions lists the cost codes the buyer may charge for a select,
// by the key a purchase names them with; the first option is none (or, when
// the account requires one, a prompt that chooses none and is refused).
func (h *Handler) costCodeOptions(ctx context.Context, u accounts.User, chosen string) ([]views.Option, error) {
	ch, err := h.d.Accounts.CostCodeChoices(ctx, u)
	if err != nil {
		return nil, err
	}
	first := "— none —"
	if ch.Required {
		first = "— choose a cost code —"
	}
	out := []views.Option{{Value: "", Label: first, Selected: chosen == ""}}
	for _, c := range ch.Codes {
		out = append(out, views.Option{Value: c.Key(), Label: c.Label(), Selected: strings.EqualFold(c.Key(), chosen)})
	}
	if ch.Required && len(ch.Codes) == 0 {
		// Required but none allowed: show the field so its refusal has a place.
		out = append(out, views.Option{Value: "", Label: "(no cost code is open to you; ask the account owner)"})
	}
	return out, nil
}
