package handlers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/hygiene/coa"
	"indicia/metering"
	"indicia/metering/box"
	"indicia/metering/rating"
	"indicia/payments"
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

// purchaseMeter is the meter that pays for a purchase form: the one the form
// names in meter_id, else the account's first active meter (the API's
// default). It also returns the account's active meters, which the page
// offers when there are several. A meter_id that is not one of them (another
// account's, suspended, made up) is a field error, returned with the default
// meter so the page can still be shown.
func (h *Handler) purchaseMeter(ctx context.Context, u accounts.User, f views.Form) (metering.Meter, []metering.Meter, error) {
	if u.AccountID == 0 {
		// Not a mailer: DefaultMeter gives the message; Meters(0) would list every account's.
		m, err := h.d.Metering.DefaultMeter(ctx, u)
		return m, nil, err
	}
	all, err := h.d.Metering.Meters(ctx, u, u.AccountID)
	if err != nil {
		return metering.Meter{}, nil, err
	}
	// The same meters DefaultMeter would pick from, in the same order.
	active := slices.DeleteFunc(all, func(m metering.Meter) bool { return m.Record.Status != box.StatusActive || m.TamperHold != "" })
	if len(active) == 0 {
		m, err := h.d.Metering.DefaultMeter(ctx, u)
		return m, nil, err
	}
	v := strings.TrimSpace(f.V("meter_id"))
	if v == "" {
		return active[0], active, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	i := slices.IndexFunc(active, func(m metering.Meter) bool { return m.ID == id })
	if err != nil || i < 0 {
		f.Values["meter_id"] = strconv.FormatInt(active[0].ID, 10)
		return active[0], active, apperr.Invalid("meter_id", "That meter is not one of your account's active meters; choose one of the meters listed.")
	}
	return active[i], active, nil
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
	if h.d.Payments != nil {
		fund, err := h.d.Payments.FundingOf(ctx, m.ID)
		if err != nil {
			return vm, m, err
		}
		if fund.Mode == payments.ModeTrickle {
			// Trickle charge: the card pays each purchase at print time, postage plus the fee.
			vm.TrickleFee = h.d.Payments.Fee(1)
		}
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

// pricedPiece is a purchase form read, cleansed and rated.
type pricedPiece struct {
	piece     rating.Piece
	quote     rating.Quote
	recipient metering.Recipient
	destZIP   string
	moved     *coa.Move // the recipient moved, per the postal change-of-address lists
}

// pricePiece cleanses the recipient and rates the piece of a purchase form.
func (h *Handler) pricePiece(c fiber.Ctx, u accounts.User, f views.Form, services []string, m metering.Meter) (pricedPiece, error) {
	var out pricedPiece
	name, company, address := f.V("recipient_name"), f.V("recipient_company"), f.V("recipient_address")
	if id := f.V("book_id"); id != "" && address == "" && h.d.Addresses != nil {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return out, apperr.Invalid("book_id", "Choose an entry of the address book.")
		}
		e, err := h.d.Addresses.Get(c.Context(), u, n)
		if err != nil {
			return out, apperr.Invalid("book_id", "That address-book entry is gone; choose another.")
		}
		name, company, address = e.Name, e.Company, e.OneLine()
		f.Values["recipient_name"], f.Values["recipient_company"], f.Values["recipient_address"] = name, company, address
	}
	rec, res, err := h.recipient("recipient_address", name, company, address)
	if err != nil {
		return out, err
	}
	p, err := pieceFromForm(f, services)
	if err != nil {
		return out, err
	}
	p.DestZIP, p.Country = res.ZIP, ""
	if !m.Floating() {
		p.OriginZIP = m.Record.OriginZIP
	} else if p.OriginZIP == "" {
		return out, apperr.Invalid("origin_zip", "This meter floats: enter the ZIP of the post office where you mail the piece.")
	}
	q, err := h.d.Rater.Rate(p)
	if err != nil {
		return out, fieldFromRating(err, "")
	}
	out = pricedPiece{piece: p, quote: q, recipient: rec, destZIP: res.ZIP + res.ZIP4}
	if h.d.COA != nil {
		// The seed's value-added service: warn before any postage is bought.
		mv, err := h.d.COA.Lookup(c.Context(), u.AccountID, res, name)
		if err != nil {
			return out, err
		}
		out.moved = mv
	}
	return out, nil
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
	pp, err := h.pricePiece(c, u, vm.Form, services, m)
	if err != nil {
		return h.purchaseFailed(c, p, vm, err)
	}
	qvm := quoteVM(pp.quote)
	if vm.TrickleFee > 0 {
		qvm.CardCharge = views.Money(pp.quote.TotalCents+vm.TrickleFee) + " charged to your card (postage " + qvm.Total + " + fee " + views.Money(vm.TrickleFee) + ")"
	}
	vm.Quote, vm.Recipient = &qvm, pp.recipient.Lines
	vm.Moved = movedVM(pp.moved)
	if f.V("action") != "buy" {
		return render(c, fiber.StatusOK, views.Purchase(p, vm))
	}
	if vm.Moved != nil && f.V("coa_ack") == "" {
		// Nothing is bought until the mailer picks the new address or confirms the old one.
		p.Error = "This recipient has moved. Use the new address, or confirm that you mail to the old one."
		return render(c, fiber.StatusConflict, views.Purchase(p, vm))
	}
	origin := ""
	if m.Floating() {
		origin = pp.piece.OriginZIP
	}
	purchase, err := h.buy(c.Context(), u, metering.PurchaseRequest{MeterID: m.ID, IdempotencyKey: webKeyPrefix + vm.Token,
		Pieces: []metering.PieceRequest{{Postage: pp.quote.TotalCents, MailingDate: pp.piece.Date, OriginZIP: origin, DestZIP: pp.destZIP,
			MailClass: pp.piece.Class, Services: servicesMask(pp.piece.Services), Recipient: pp.recipient}}})
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
	status := fiber.StatusConflict
	switch ae.Kind {
	case apperr.KindPayment:
		status = fiber.StatusPaymentRequired
	case apperr.KindForbidden:
		status = fiber.StatusForbidden
	case apperr.KindUnavailable:
		status = fiber.StatusServiceUnavailable
	}
	return render(c, status, views.Purchase(p, vm))
}

// movedVM shapes a change-of-address match for the purchase page.
func movedVM(mv *coa.Move) *views.MovedVM {
	if mv == nil {
		return nil
	}
	return &views.MovedVM{Code: string(mv.Code), Label: mv.Code.Label(), MoveType: mv.MoveType,
		Effective: mv.Effective.Format("January 2006"), NewAddress: mv.NewOneLine()}
}
