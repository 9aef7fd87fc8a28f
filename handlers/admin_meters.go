package handlers

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/metering"
	"indicia/metering/box"
	"indicia/views"
	"indicia/web/request"
)

var suspendReasons = []views.Option{
	{Value: box.ReasonInspection, Label: "Inspection"},
	{Value: box.ReasonInsufficientFunds, Label: "Insufficient funds"},
	{Value: box.ReasonCreditAbuse, Label: "Credit abuse"},
	{Value: box.ReasonMeterAbuse, Label: "Meter abuse"},
	{Value: box.ReasonTamper, Label: "Tamper"},
}

func (h *Handler) renderAdminMeters(c fiber.Ctx, status int, f views.Form) error {
	ms, err := h.d.Metering.Meters(c.Context(), *request.Actor(c), 0)
	if err != nil {
		return err
	}
	rows, err := h.adminMeterRows(c.Context(), *request.Actor(c), ms)
	if err != nil {
		return err
	}
	return render(c, status, views.AdminMeters(h.Page(c, "Meters", "meters"), rows, f))
}

// AdminMeters lists every meter with the manufacture form.
func (h *Handler) AdminMeters(c fiber.Ctx) error {
	return h.renderAdminMeters(c, fiber.StatusOK, emptyForm())
}

// ManufactureMeter makes a new meter for a master account, named by the
// customer ID people know (the internal id is never typed).
func (h *Handler) ManufactureMeter(c fiber.Ctx) error {
	f := form(c, "customer_id")
	m, err := h.manufactureForCustomer(c, f.V("customer_id"))
	if err != nil {
		if formError(&f, err) {
			return h.renderAdminMeters(c, fiber.StatusUnprocessableEntity, f)
		}
		return err
	}
	return h.redirectWith(c, "/admin/meters/"+strconv.FormatInt(m.ID, 10), "Meter "+m.Record.Serial+" manufactured. Register it with its origin ZIP next.")
}

func (h *Handler) manufactureForCustomer(c fiber.Ctx, typed string) (metering.Meter, error) {
	acct, err := h.accountByCustomerID(c, typed)
	if err != nil {
		return metering.Meter{}, err
	}
	return h.d.Metering.Manufacture(c.Context(), *request.Actor(c), acct.ID)
}

// accountByCustomerID reads the customer ID typed in the customer_id field.
func (h *Handler) accountByCustomerID(c fiber.Ctx, typed string) (accounts.Account, error) {
	cid, err := strconv.ParseInt(strings.TrimSpace(typed), 10, 64)
	if err != nil || cid <= 0 {
		return accounts.Account{}, apperr.Invalid("customer_id", "Enter the customer ID of the master account, like 100001.")
	}
	return h.d.Accounts.AccountByCustomerID(c.Context(), *request.Actor(c), "customer_id", cid)
}

func meterID(c fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return 0, apperr.NotFound("No such meter.")
	}
	return id, nil
}

func (h *Handler) renderAdminMeter(c fiber.Ctx, status int, id int64, f views.Form) error {
	m, err := h.d.Metering.Meter(c.Context(), *request.Actor(c), id)
	if err != nil {
		return err
	}
	txs, err := h.d.Metering.Transactions(c.Context(), *request.Actor(c), id, 100)
	if err != nil {
		return err
	}
	rows, err := h.adminMeterRows(c.Context(), *request.Actor(c), []metering.Meter{m})
	if err != nil {
		return err
	}
	st := m.Record.Status
	d := views.MeterDetailVM{Meter: rows[0], CertPEM: m.CertPEM, Reasons: suspendReasons,
		CanReg: st == box.StatusManufactured, CanAct: st == box.StatusRegistered || st == box.StatusSuspended,
		CanSusp: st == box.StatusActive || st == box.StatusRegistered || st == box.StatusSuspended, CanRetire: st != box.StatusRetired}
	for _, t := range txs {
		d.Txs = append(d.Txs, txRow(t))
	}
	if d.Revoked, err = h.revokedText(c, m); err != nil {
		return err
	}
	d.SuspendForm, d.RetireForm = emptyForm(), emptyForm()
	switch {
	case strings.HasSuffix(c.Path(), "/suspend"):
		d.SuspendForm = f
	case strings.HasSuffix(c.Path(), "/retire"):
		d.RetireForm = f
	}
	page := h.Page(c, "Meter "+m.Record.Serial, "meters")
	// The forms show their own fields' messages; a refusal about the meter
	// itself (its status, a tamper hold) goes above them.
	var other []string
	for k, msg := range f.Errors {
		if k != "origin_zip" && k != "reason" && k != "amount" && k != "revoke_from" && k != "revoke_date" {
			other = append(other, msg)
		}
	}
	sort.Strings(other)
	page.Error = strings.Join(other, " ")
	return render(c, status, views.AdminMeter(page, d, f))
}

// AdminMeter shows one meter, its lifecycle actions and its signed records.
func (h *Handler) AdminMeter(c fiber.Ctx) error {
	id, err := meterID(c)
	if err != nil {
		return err
	}
	return h.renderAdminMeter(c, fiber.StatusOK, id, emptyForm())
}

// meterAction runs one lifecycle step and re-renders the meter on a field error.
func (h *Handler) meterAction(c fiber.Ctx, f views.Form, msg string, op func(id int64) (metering.Meter, error)) error {
	id, err := meterID(c)
	if err != nil {
		return err
	}
	if _, err := op(id); err != nil {
		if formError(&f, err) {
			return h.renderAdminMeter(c, fiber.StatusUnprocessableEntity, id, f)
		}
		return err
	}
	return h.redirectWith(c, "/admin/meters/"+strconv.FormatInt(id, 10), msg)
}

// RegisterMeter sets the origin ZIP and registers the meter with the post.
func (h *Handler) RegisterMeter(c fiber.Ctx) error {
	f := form(c, "origin_zip")
	return h.meterAction(c, f, "Meter registered.", func(id int64) (metering.Meter, error) {
		return h.d.Metering.Register(c.Context(), *request.Actor(c), id, f.V("origin_zip"))
	})
}

// ActivateMeter activates or reactivates a meter.
func (h *Handler) ActivateMeter(c fiber.Ctx) error {
	return h.meterAction(c, emptyForm(), "Meter active.", func(id int64) (metering.Meter, error) {
		return h.d.Metering.Activate(c.Context(), *request.Actor(c), id)
	})
}

// SuspendMeter suspends a meter for a reason.
func (h *Handler) SuspendMeter(c fiber.Ctx) error {
	f := form(c, "reason", "revoke_from", "revoke_date")
	msg := "Meter suspended."
	if revokingReason(f.V("reason")) {
		msg = "Meter suspended and its certificate revoked."
	}
	return h.meterAction(c, f, msg, func(id int64) (metering.Meter, error) {
		return h.d.Metering.SuspendRevoking(c.Context(), *request.Actor(c), id, f.V("reason"), revokeFrom(f))
	})
}

// RetireMeter retires a meter for good.
func (h *Handler) RetireMeter(c fiber.Ctx) error {
	f := form(c, "revoke_from", "revoke_date")
	return h.meterAction(c, f, "Meter retired and its certificate revoked.", func(id int64) (metering.Meter, error) {
		return h.d.Metering.RetireRevoking(c.Context(), *request.Actor(c), id, revokeFrom(f))
	})
}

// CreditMeter adds funds to a meter (vendor admins; mailers pay by card).
func (h *Handler) CreditMeter(c fiber.Ctx) error {
	f := form(c, "amount")
	cents, ok := parseDollars(f.V("amount"))
	if !ok {
		f.Errors["amount"] = "Enter an amount in dollars, like 25 or 25.50."
		id, err := meterID(c)
		if err != nil {
			return err
		}
		return h.renderAdminMeter(c, fiber.StatusUnprocessableEntity, id, f)
	}
	return h.meterAction(c, f, "Funds credited.", func(id int64) (metering.Meter, error) {
		return h.d.Metering.Credit(c.Context(), *request.Actor(c), id, cents, metering.CreditAdmin, "")
	})
}

// parseDollars reads "25", "25.5", "$1,025.50" into cents without floats.
func parseDollars(s string) (int64, bool) {
	s = strings.TrimSpace(strings.NewReplacer("$", "", ",", "").Replace(s))
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" {
		whole = "0"
	}
	if len(frac) > 2 {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || w < 0 || w > math.MaxInt64/100-1 {
		return 0, false
	}
	return w*100 + f, true
}
