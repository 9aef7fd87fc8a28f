package handlers

import (
	"strconv"
	"sync"

	"github.com/gofiber/fiber/v3"

	"indicia/metering"
	"indicia/views"
	"indicia/web/request"
)

// Dashboard is each role's landing page after login.
func (h *Handler) Dashboard(c fiber.Ctx) error {
	u := request.Actor(c)
	vm := views.DashboardVM{}
	if u.Role.IsMailer() {
		// The summary and the meters are independent reads: in parallel the
		// page waits for one round trip instead of two.
		ctx := c.Context()
		var (
			ms   []metering.Meter
			merr error
			wg   sync.WaitGroup
		)
		wg.Go(func() { ms, merr = h.d.Metering.Meters(ctx, *u, u.AccountID) })
		sum, err := h.d.Accounts.AccountSummary(ctx, *u)
		wg.Wait()
		if err != nil {
			return err
		}
		if merr != nil {
			return merr
		}
		a := sum.Account
		vm.Company, vm.CustomerID, vm.OriginZIP = a.Company, strconv.FormatInt(a.CustomerID, 10), a.OriginZIP
		vm.Address = []string{a.Address.Line1}
		if a.Address.Line2 != "" {
			vm.Address = append(vm.Address, a.Address.Line2)
		}
		vm.Address = append(vm.Address, a.Address.City+", "+a.Address.State+" "+a.Address.ZIP)
		vm.UserCount, vm.KeyCount = sum.Users, sum.ActiveKeys
		vm.Meters = meterRows(ms)
		for _, m := range ms {
			vm.Funded = vm.Funded || m.Record.DR > 0
			vm.Bought = vm.Bought || m.Record.PieceCount > 0
		}
		if !vm.Funded && h.d.Payments != nil {
			// A trickle meter holds no balance: a card on file funds it.
			card, err := h.d.Payments.CardOf(c.Context(), *u)
			if err != nil {
				return err
			}
			vm.Funded = card.HasCard()
		}
		vm.LastLogin = "This is your first login."
		if sum.PreviousLogin != nil {
			vm.LastLogin = sum.PreviousLogin.UTC().Format("2006-01-02 15:04 UTC")
		}
	}
	return render(c, fiber.StatusOK, views.Dashboard(h.Page(c, "Dashboard", "dashboard"), vm))
}
