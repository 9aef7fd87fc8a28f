package handlers

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/views"
	"indicia/web/request"
)

func settlementDay(s string) (time.Time, error) {
	if s == "" {
		return time.Now().UTC().Truncate(24 * time.Hour), nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return d, apperr.Invalid("day", "Enter the day as YYYY-MM-DD.")
	}
	return d, nil
}

// Settlement shows a day's historical record for the post and what each origin post office is owed.
func (h *Handler) Settlement(c fiber.Ctx) error {
	day, err := settlementDay(c.Query("day"))
	if err != nil {
		return err
	}
	return h.renderSettlement(c, fiber.StatusOK, day, 0, emptyForm())
}

// renderSettlement renders the settlement page; alertForm, if alertID is not
// zero, is the resolve form of that payment alert, with its messages.
func (h *Handler) renderSettlement(c fiber.Ctx, status int, day time.Time, alertID int64, alertForm views.Form) error {
	u := *request.Actor(c)
	st, err := h.d.Payments.SettlementFor(c.Context(), u, day)
	if err != nil {
		return err
	}
	vm := views.SettlementVM{Day: day.Format(time.DateOnly), Total: views.Money(st.Total), IsAdmin: u.Role == accounts.RoleAdmin}
	if !st.ComputedAt.IsZero() {
		vm.Computed = st.ComputedAt.UTC().Format("2006-01-02 15:04 MST")
	}
	for _, o := range st.Offices {
		vm.Offices = append(vm.Offices, views.SettlementOfficeRow{ZIP: o.OriginZIP, Pieces: strconv.FormatInt(o.Pieces, 10), Postage: views.Money(o.Postage)})
	}
	for _, r := range st.Rows {
		vm.Rows = append(vm.Rows, views.SettlementMeterRow{ZIP: r.OriginZIP, Serial: r.Serial, Pieces: strconv.FormatInt(r.Pieces, 10), Postage: views.Money(r.Postage)})
	}
	days, err := h.d.Payments.SettlementDays(c.Context(), u, 30)
	if err != nil {
		return err
	}
	for _, d := range days {
		vm.Days = append(vm.Days, d.Format(time.DateOnly))
	}
	if vm.IsAdmin {
		if vm.Alerts, vm.OpenAlerts, err = h.paymentAlertRows(c, u, alertID, alertForm); err != nil {
			return err
		}
	}
	return render(c, status, views.Settlement(h.Page(c, "Settlement", "settlement"), vm))
}

// SettlementCSV downloads a day's settlement.
func (h *Handler) SettlementCSV(c fiber.Ctx) error {
	day, err := settlementDay(c.Params("day"))
	if err != nil {
		return err
	}
	st, err := h.d.Payments.SettlementFor(c.Context(), *request.Actor(c), day)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := st.WriteCSV(&buf); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, csvType)
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="settlement-%s.csv"`, day.Format(time.DateOnly)))
	return c.Send(buf.Bytes())
}

// RunSettlement settles a day now (vendor admins; the worker does it daily).
func (h *Handler) RunSettlement(c fiber.Ctx) error {
	day, err := settlementDay(c.FormValue("day"))
	if err != nil {
		return err
	}
	st, err := h.d.Payments.Settle(c.Context(), day)
	if err != nil {
		return err
	}
	return h.redirectWith(c, "/postal/settlement?day="+day.Format(time.DateOnly), "Settled "+day.Format(time.DateOnly)+": "+views.Money(st.Total)+" owed to the post.")
}
