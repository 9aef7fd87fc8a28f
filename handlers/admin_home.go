package handlers

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v3"

	"indicia/metering/box"
	"indicia/views"
	"indicia/web/request"
)

// signUpWeeks is how many weeks of sign-ups the control room shows.
const signUpWeeks = 12

func count[T ~int | ~int64](n T) string { return strconv.FormatInt(int64(n), 10) }

// AdminHome is the vendor admin's control room: meters by status and
// suspension reason, open tamper and payment alerts, fraud signals, the job
// queue, the box's health and key versions, and sign-ups per week, each
// count linking to its list.
func (h *Handler) AdminHome(c fiber.Ctx) error {
	u := *request.Actor(c)
	ctx := c.Context()
	fleet, err := h.d.Metering.FleetOverview(ctx, u)
	if err != nil {
		return err
	}
	var a views.AdminHomePage
	for _, s := range fleet.ByStatus {
		label := s.Status
		if s.Reason != "" {
			label += " (" + s.Reason + ")"
		}
		a.Meters = append(a.Meters, views.AdminCount{Label: label, Count: count(s.Meters), Href: "/admin/meters"})
	}
	if len(a.Meters) == 0 {
		a.Meters = []views.AdminCount{{Label: "meters", Count: "0", Href: "/admin/meters"}}
	}
	a.Alerts = append(a.Alerts, views.AdminCount{Label: "Tamper alerts", Count: count(fleet.Tamper), Href: "/admin/alerts"})
	if h.d.Payments != nil {
		n, err := h.d.Payments.OpenAlerts(ctx)
		if err != nil {
			return err
		}
		a.Alerts = append(a.Alerts, views.AdminCount{Label: "Payment alerts", Count: count(n), Href: "/postal/settlement"})
	}
	n, err := h.d.Accounts.OpenChainAlerts(ctx)
	if err != nil {
		return err
	}
	a.Alerts = append(a.Alerts, views.AdminCount{Label: "Login chain alerts", Count: count(n), Href: "/admin/login-alerts"})
	for _, k := range fleet.FraudKinds {
		a.Fraud = append(a.Fraud, views.AdminCount{Label: views.FraudKindLabel(k.Kind), Count: count(k.Open), Href: "/postal#fraud"})
	}
	st, err := h.d.Jobs.Stats(ctx)
	if err != nil {
		return err
	}
	a.Jobs = []views.AdminCount{{Label: "Waiting", Count: count(st.Queued)}, {Label: "Running", Count: count(st.Running)},
		{Label: "Failed", Count: count(st.Failed)}, {Label: "Dead letters", Count: count(st.Dead), Href: "/admin/jobs"}}
	b := fleet.Box
	a.BoxAnswering = b.Answering
	if b.Answering {
		a.BoxFacts = append(a.BoxFacts, views.AdminCount{Label: "Protocol", Count: "version " + strconv.Itoa(b.Protocol) + ", " + strconv.Itoa(b.Ops) + " operations"},
			views.AdminCount{Label: "Answered in", Count: b.Latency.Round(time.Microsecond).String()})
		a.BoxFacts = append(a.BoxFacts, boxStatusFacts(b.Status, time.Now())...)
	} else {
		a.BoxFacts = append(a.BoxFacts, views.AdminCount{Label: "Error", Count: b.Error})
	}
	if b.NewestMAC != "" {
		due := b.NextRotation.Format(time.DateOnly)
		if b.RotationOverdue {
			due += " (overdue: this month's version is missing)"
		}
		a.BoxFacts = append(a.BoxFacts, views.AdminCount{Label: "Record-MAC key last rotated", Count: b.NewestMAC},
			views.AdminCount{Label: "Next rotation due", Count: due})
	}
	if len(b.BoxKeys) > 0 {
		a.BoxFacts = append(a.BoxFacts, views.AdminCount{Label: "Key versions in the box", Count: strings.Join(b.BoxKeys, ", ")})
	}
	for _, v := range b.MACVersions {
		a.BoxFacts = append(a.BoxFacts, views.AdminCount{Label: "Records under key " + v.Status, Count: count(v.Meters), Href: "/admin/meters"})
	}
	weeks, err := h.d.Accounts.SignUpsPerWeek(ctx, u, signUpWeeks)
	if err != nil {
		return err
	}
	a.SignUps = views.BarChartData{ID: "signups-chart", Title: "Accounts signed up per week"}
	for _, w := range weeks {
		label := w.Week.Format("01-02")
		a.SignUps.Labels = append(a.SignUps.Labels, label)
		a.SignUps.Values = append(a.SignUps.Values, float64(w.Accounts))
		a.SignUpRows = append(a.SignUpRows, views.AdminCount{Label: "Week of " + w.Week.Format(time.DateOnly), Count: count(w.Accounts), Href: "/admin/users"})
	}
	return render(c, fiber.StatusOK, views.AdminHome(h.Page(c, "Control room", "admin"), a))
}

// boxStatusFacts are the box process's own report: its version, how long it
// has run and when it last made a freshness write durable.
func boxStatusFacts(st box.Status, now time.Time) []views.AdminCount {
	if st.StartedAt.IsZero() {
		return []views.AdminCount{{Label: "Version and uptime", Count: "not reported (a box older than this server)"}}
	}
	version := st.Version
	if version == "" {
		version = "not reported"
	}
	last := "none since it started"
	if !st.LastDurableWrite.IsZero() {
		last = st.LastDurableWrite.UTC().Format("2006-01-02 15:04:05 UTC") + " (" + now.Sub(st.LastDurableWrite).Round(time.Second).String() + " ago)"
	}
	return []views.AdminCount{{Label: "Version", Count: version},
		{Label: "Up since", Count: st.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC") + " (" + st.Uptime(now).Round(time.Second).String() + ")"},
		{Label: "Last durable freshness write", Count: last}}
}
