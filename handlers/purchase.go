package handlers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/hygiene"
	"indicia/metering"
	"indicia/metering/rating"
	"indicia/postage"
	"indicia/views"
)

// purchaseFields are the single-valued inputs of the purchase form.
var purchaseFields = append([]string{"token", "action", "meter_id", "book_id", "recipient_name", "recipient_company", "recipient_address", "use_new_address", "coa_ack"}, pieceFields...)

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
	vm := views.PurchaseVM{Form: f, Token: f.V("token"), Classes: domesticClassOptions(f.V("class")), Services: serviceOptions(services)}
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

// ShowPurchase is the purchase page.
func (h *Handler) ShowPurchase(c fiber.Ctx) error {
	u := *Actor(c)
	p := h.Page(c, "Buy postage", "postage")
	vm, _, err := h.purchaseVM(c.Context(), u, emptyForm(), nil)
	if err != nil {
		if ae, ok := apperr.As(err); !ok || ae.Kind == apperr.KindInternal {
			return err
		}
		p.Error = err.(*apperr.Error).Message
	}
	return render(c, fiber.StatusOK, views.Purchase(p, vm))
}

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
	// The destination is the cleansed recipient's; only a floating meter takes the form's origin.
	p.DestZIP, p.Country = "", ""
	if !m.Floating() {
		p.OriginZIP = ""
	}
	return postage.Order{Meter: m, IdempotencyKey: webKeyPrefix + f.V("token"), Pieces: []postage.Piece{{
		Recipient: postage.Recipient{Name: name, Company: company, Address: address}, Rated: true, Spec: p, AcceptMoved: f.V("coa_ack") != ""}}}, nil
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
var formFields = map[string]string{"recipient.address": "recipient_address", "weight_oz": "weight", "mail_class": "class"}

// formFieldError renames an invalid field of a purchase error to the form's input.
func formFieldError(err error) error {
	if ae, ok := apperr.As(err); ok && ae.Kind == apperr.KindInvalid {
		if n, ok := formFields[ae.Field]; ok {
			return apperr.Invalid(n, ae.Message)
		}
	}
	return err
}

// BuyPostage prices the form ("Get price") or buys the postage ("Buy"), then
// redirects to the labels. The form's one-time token is the purchase's
// idempotency key, so a double submit buys once; the key's request hash
// covers the meter, so the same form sent again for another meter is refused
// rather than bought twice.
func (h *Handler) BuyPostage(c fiber.Ctx) error {
	u := *Actor(c)
	f := form(c, purchaseFields...)
	services := formMulti(c, "services")
	p := h.Page(c, "Buy postage", "postage")
	if na := f.V("use_new_address"); na != "" {
		// "Use the new address" from the change-of-address warning: price it again.
		f.Values["recipient_address"], f.Values["book_id"], f.Values["action"] = na, "", ""
	}
	vm, m, err := h.purchaseVM(c.Context(), u, f, services)
	if err != nil {
		return h.purchaseFailed(c, p, vm, err)
	}
	q, err := h.quoteForm(c.Context(), u, vm.Form, services, m)
	if err != nil {
		return h.purchaseFailed(c, p, vm, err)
	}
	pq := q.Pieces[0]
	qvm := quoteVM(pq.Quote)
	if vm.TrickleFee > 0 {
		qvm.CardCharge = views.Money(pq.Quote.TotalCents+vm.TrickleFee) + " charged to your card (postage " + qvm.Total + " + fee " + views.Money(vm.TrickleFee) + ")"
	}
	vm.Quote, vm.Recipient = &qvm, pq.Request.Recipient.Lines
	vm.Moved = movedVM(pq.Moved)
	if f.V("action") != "buy" {
		return render(c, fiber.StatusOK, views.Purchase(p, vm))
	}
	purchase, err := h.d.Postage.BuyQuote(c.Context(), u, q)
	if errors.Is(err, postage.ErrRecipientMoved) {
		// Nothing is bought until the mailer picks the new address or confirms the old one.
		p.Error = "This recipient has moved. Use the new address, or confirm that you mail to the old one."
		return render(c, fiber.StatusConflict, views.Purchase(p, vm))
	}
	if err != nil {
		if ae, ok := apperr.As(err); ok && ae.Field == "idempotency_key" {
			// This form already bought something else: start a fresh form.
			vm.Token = newFormToken()
			err = apperr.Conflict("", "This form was already used for another purchase (see your labels). Check the details and buy again if you meant to.")
		}
		return h.purchaseFailed(c, p, vm, err)
	}
	flash := "Postage bought: " + views.Money(purchase.Postage) + "."
	if purchase.Replayed {
		flash = "This form had already been submitted; here are the labels it bought."
	}
	return h.redirectWith(c, "/labels/"+purchase.PublicID, flash)
}

// formFieldsShown are the purchase-form fields that show their own message.
var formFieldsShown = []string{"meter_id", "book_id", "recipient_name", "recipient_company", "recipient_address", "origin_zip", "class", "weight",
	"length", "width", "height", "services", "declared_value", "mailing_date"}

// purchaseFailed re-renders the form with the message next to the field, or
// above the form for errors about the meter or the funds; nothing was bought.
func (h *Handler) purchaseFailed(c fiber.Ctx, p views.Page, vm views.PurchaseVM, err error) error {
	if fields, ok := apperr.AsFields(err); ok && apperr.KindOf(err) == apperr.KindInvalid {
		for k, v := range fields {
			if slices.Contains(formFieldsShown, k) && (k != "origin_zip" || vm.Floating) && (k != "meter_id" || len(vm.Meters) > 0) {
				vm.Form.Errors[k] = v
			} else {
				p.Error = v
			}
		}
		return render(c, fiber.StatusUnprocessableEntity, views.Purchase(p, vm))
	}
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Kind == apperr.KindInternal {
		return err
	}
	p.Error = ae.Message
	return render(c, apperr.HTTPStatus(ae.Kind), views.Purchase(p, vm))
}

// movedVM shapes a change-of-address match for the purchase page.
func movedVM(mv *hygiene.Move) *views.MovedVM {
	if mv == nil {
		return nil
	}
	return &views.MovedVM{Code: string(mv.Code), Label: mv.Code.Label(), MoveType: mv.MoveType,
		Effective: mv.Effective.Format("January 2006"), NewAddress: mv.NewOneLine()}
}
