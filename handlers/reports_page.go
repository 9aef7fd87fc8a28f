package handlers

import (
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/metering/rating"
	"indicia/reports"
	"indicia/views"
	"indicia/web/request"
)

// reportParams are the parameters every report takes.
var reportParams = []string{"from", "to", "account", "meter", "user", "cost_code", "class", "origin_zip", "group"}

// reportPreview is how many rows of the long reports the page shows.
const reportPreview = 50

// reportFilter reads the report parameters of the query string; every
// problem is a message at its field.
func reportFilter(c fiber.Ctx, u accounts.User) (views.Form, reports.Filter, reports.Group, error) {
	f := emptyForm()
	for _, n := range reportParams {
		f.Values[n] = c.Query(n)
	}
	filter, err := reports.ParseFilter(u, f.V, time.Now())
	formError(&f, err)
	group, gerr := reports.ParseGroup(f.V("group"))
	formError(&f, gerr)
	if len(f.Errors) > 0 {
		if err == nil {
			err = gerr
		}
		return f, filter, group, err
	}
	return f, filter, group, nil
}

// reportQuery is the filter as a query string for links.
func reportQuery(f views.Form) string {
	q := url.Values{}
	for _, n := range reportParams {
		if v := f.V(n); v != "" {
			q.Set(n, v)
		}
	}
	return q.Encode()
}

// Reports shows the reports page: the filter, spend by month and the
// balance over time as charts beside their tables, the summary, funding,
// a preview of the register and the refunds, and the statements.
func (h *Handler) Reports(c fiber.Ctx) error {
	u := *request.Actor(c)
	ctx := c.Context()
	form, filter, group, ferr := reportFilter(c, u)
	vm := views.ReportsVM{Form: form, IsAdmin: u.Role == accounts.RoleAdmin, Query: reportQuery(form), Group: group.Label()}
	if u.Role.IsMailer() {
		ms, err := h.d.Metering.Meters(ctx, u, u.AccountID)
		if err != nil {
			return err
		}
		for _, m := range ms {
			vm.Meters = append(vm.Meters, views.Option{Value: m.Record.Serial, Label: m.Record.Serial + " (" + m.Record.OriginZIP + ")", Selected: form.V("meter") == m.Record.Serial})
		}
		ch, err := h.d.Reports.Choices(ctx, u)
		if err != nil {
			return err
		}
		for _, x := range ch.Users {
			id := strconv.FormatInt(x.ID, 10)
			vm.Users = append(vm.Users, views.Option{Value: id, Label: x.Name, Selected: form.V("user") == id})
		}
		for _, x := range ch.CostCodes {
			id := strconv.FormatInt(x.ID, 10)
			label := x.Name
			if x.Archived {
				label += " (archived)"
			}
			vm.CostCodes = append(vm.CostCodes, views.Option{Value: id, Label: label, Selected: form.V("cost_code") == id})
		}
	}
	for _, cl := range rating.Classes() {
		vm.Classes = append(vm.Classes, views.Option{Value: cl, Label: rating.ClassName(cl), Selected: form.V("class") == cl})
	}
	for _, g := range reports.Groups {
		vm.Groups = append(vm.Groups, views.Option{Value: string(g), Label: g.Label(), Selected: g == group})
	}
	if ferr != nil {
		vm.Invalid = true
		return render(c, fiber.StatusUnprocessableEntity, views.Reports(h.Page(c, "Reports", "reports"), vm))
	}

	months, err := h.d.Reports.Summary(ctx, u, filter, reports.ByMonth)
	if err != nil {
		return err
	}
	vm.SpendChart, vm.SpendRows = spendChart(months.Rows)
	sum := months
	if group != reports.ByMonth {
		if sum, err = h.d.Reports.Summary(ctx, u, filter, group); err != nil {
			return err
		}
	}
	for _, r := range sum.Rows {
		vm.Summary = append(vm.Summary, summaryRowVM(r))
	}
	vm.Total = summaryRowVM(sum.Total)
	balances, err := h.d.Reports.DailyBalances(ctx, u, filter)
	if err != nil {
		return err
	}
	vm.BalanceChart, vm.BalanceRows = balanceChart(balances)
	totals, err := h.d.Reports.FundingTotals(ctx, u, filter)
	if err != nil {
		return err
	}
	for _, t := range totals {
		k := t.ByKind
		vm.Funding = append(vm.Funding, views.FundingTotalVM{Serial: t.Serial, Opening: views.Money(t.Opening), TopUps: views.Money(k[reports.FundTopUp]),
			Refills: views.Money(k[reports.FundAutoRefill]), Trickle: views.Money(k[reports.FundTrickleCharge]), Admin: views.Money(k[reports.FundAdminCredit] + k[reports.FundOpening]),
			VoidRefunds: views.Money(k[reports.FundVoidRefund]), TakenBack: views.Money(k[reports.FundTakenBack]), Purchases: views.Money(k[reports.FundPurchase]), Closing: views.Money(t.Closing)})
	}
	reg, next, err := h.d.Reports.Register(ctx, u, filter, reports.Cursor{}, reportPreview)
	if err != nil {
		return err
	}
	vm.RegisterMore = !next.IsZero()
	for _, r := range reg {
		cells := r.Cells()
		vm.Register = append(vm.Register, views.RegisterRowVM{At: cells[0], LabelID: r.LabelID, Meter: r.MeterSerial, User: r.User, CostCode: r.CostCode,
			Origin: r.OriginZIP, Dest: r.DestZIP, Class: cells[7], Weight: cells[10], Postage: views.Money(r.Postage), Fee: views.Money(r.Fee), Status: r.Status, VoidedAt: cells[14]})
	}
	refunds, _, err := h.d.Reports.Refunds(ctx, u, filter, reports.Cursor{}, reportPreview)
	if err != nil {
		return err
	}
	for _, r := range refunds {
		vm.Refunds = append(vm.Refunds, views.RefundRowVM{At: r.At.UTC().Format("2006-01-02 15:04"), Kind: r.Kind, LabelID: r.LabelID, Meter: r.MeterSerial,
			Postage: views.Money(r.Postage), ReturnedTo: r.ReturnedTo, CardRefund: views.Money(r.CardRefund), CardState: r.CardState})
	}
	if vm.Statements, err = h.statementRows(c, u, filter.AccountID); err != nil {
		return err
	}
	if u.Role == accounts.RoleUser {
		vm.StatementOptIn = true
		if vm.StatementEmails, err = h.d.Accounts.StatementEmails(ctx, u); err != nil {
			return err
		}
	}
	return render(c, fiber.StatusOK, views.Reports(h.Page(c, "Reports", "reports"), vm))
}

func summaryRowVM(r reports.SummaryRow) views.SummaryRowVM {
	return views.SummaryRowVM{Key: r.Key, Pieces: strconv.FormatInt(r.Pieces, 10), Postage: views.Money(r.Postage), Voided: views.Money(r.VoidedPostage), Spend: views.Money(r.Spend())}
}
