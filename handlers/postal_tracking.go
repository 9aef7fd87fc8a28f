package handlers

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/metering"
	"indicia/payments"
	"indicia/views"
	"indicia/web/request"
)

// topOriginsShown is how many origins the tracking page's bar chart shows.
const topOriginsShown = 10

// postalTracking is what the tracking page and its JSON show.
type postalTracking struct {
	Days   int                    `json:"days"`
	Scope  string                 `json:"scope"`
	Origin string                 `json:"origin,omitempty"`
	By     string                 `json:"funds_by"`
	Totals metering.DailyVolume   `json:"totals"`
	Daily  []metering.DailyVolume `json:"daily"`
	Rows   []metering.DailyVolume `json:"rows"`
	// RowsPage and RowsPages page the per-origin rows of every origin by
	// metering.TrackingPageDays days, newest first; otherwise one page.
	RowsPage  int                    `json:"rows_page"`
	RowsPages int                    `json:"rows_pages"`
	Top       []metering.OriginTotal `json:"top_origins"`
	Owed      []payments.OfficeOwed  `json:"funds_owed"`
	// OwedPage and OwedPages page the funds owed: payments.OwedPageDays
	// settled days (or one month) a page, newest first; OwedSum is the
	// whole period's.
	OwedPage  int   `json:"funds_owed_page"`
	OwedPages int   `json:"funds_owed_pages"`
	OwedSum   int64 `json:"funds_owed_total"`
}

// loadTracking reads the query (days, scope, origin, by) and the numbers.
func (h *Handler) loadTracking(c fiber.Ctx) (postalTracking, error) {
	t := postalTracking{Days: 30, Scope: c.Query("scope", "all"), Origin: strings.TrimSpace(c.Query("origin")), By: c.Query("by", "day")}
	if d := strings.TrimSpace(c.Query("days")); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil {
			return t, apperr.Invalid("days", "Enter the period as a number of days.")
		}
		t.Days = n
	}
	u := *request.Actor(c)
	ctx := c.Context()
	var err error
	if t.Daily, err = h.d.Metering.DailyVolumes(ctx, u, metering.ScopeAll, t.Origin, t.Days); err != nil {
		return t, err
	}
	// The all-origins rows are the daily totals just read: not read twice.
	t.RowsPage, t.RowsPages = 1, 1
	switch {
	case t.Scope == string(metering.ScopeAll):
		t.Rows = t.Daily
	case t.Origin == "":
		// Every origin per day is a page of days at a time.
		if p := strings.TrimSpace(c.Query("page")); p != "" {
			if t.RowsPage, err = strconv.Atoi(p); err != nil {
				return t, apperr.Invalid("page", "Enter the page as a number.")
			}
		}
		if t.Rows, t.RowsPages, err = h.d.Metering.DailyVolumesPage(ctx, u, metering.TrackingScope(t.Scope), "", t.Days, t.RowsPage); err != nil {
			return t, err
		}
	default:
		if t.Rows, err = h.d.Metering.DailyVolumes(ctx, u, metering.TrackingScope(t.Scope), t.Origin, t.Days); err != nil {
			return t, err
		}
	}
	scope := metering.ScopeZIP
	if len(t.Origin) == 3 || t.Scope == "zip3" {
		scope = metering.ScopeZIP3
	}
	if t.Top, err = h.d.Metering.TopOrigins(ctx, u, scope, t.Days, topOriginsShown); err != nil {
		return t, err
	}
	t.OwedPage = 1
	if p := strings.TrimSpace(c.Query("owed_page")); p != "" {
		if t.OwedPage, err = strconv.Atoi(p); err != nil {
			return t, apperr.Invalid("owed_page", "Enter the page of funds owed as a number.")
		}
	}
	from := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1-t.Days)
	owed, err := h.d.Payments.OwedByOffice(ctx, u, t.By, from, t.Origin, t.OwedPage)
	if err != nil {
		return t, err
	}
	t.Owed, t.OwedPages, t.OwedSum = owed.Rows, owed.Pages, owed.Postage
	for _, d := range t.Daily {
		t.Totals.Pieces += d.Pieces
		t.Totals.Postage += d.Postage
		t.Totals.InProcess += d.InProcess
		t.Totals.PostageInProcess += d.PostageInProcess
		t.Totals.Processed += d.Processed
		t.Totals.Voided += d.Voided
	}
	for _, l := range []*[]metering.DailyVolume{&t.Daily, &t.Rows} {
		if *l == nil {
			*l = []metering.DailyVolume{}
		}
	}
	if t.Top == nil {
		t.Top = []metering.OriginTotal{}
	}
	if t.Owed == nil {
		t.Owed = []payments.OfficeOwed{}
	}
	return t, nil
}

// APIPostalTracking is the tracking page as JSON.
func (h *Handler) APIPostalTracking(c fiber.Ctx) error {
	t, err := h.loadTracking(c)
	if err != nil {
		return err
	}
	return c.JSON(t)
}

// PostalTracking shows the mail and the money per day and origin: volume
// and revenue over time, the top origins, in process against processed,
// and the funds owed to each post office. A bad period or origin comes
// back as the form with the message at its field.
func (h *Handler) PostalTracking(c fiber.Ctx) error {
	page := views.PostalTrackingPage{Days: c.Query("days", "30"), Scope: c.Query("scope", "all"), Origin: c.Query("origin"), By: c.Query("by", "day")}
	t, err := h.loadTracking(c)
	if err != nil {
		f := emptyForm()
		if !formError(&f, err) || (f.E("days") == "" && f.E("origin") == "" && f.E("scope") == "" && f.E("by") == "" && f.E("page") == "" && f.E("owed_page") == "") {
			return err
		}
		page.DaysErr, page.OriginErr, page.PageErr = f.E("days"), f.E("origin"), f.E("page")+f.E("owed_page")
		if page.OriginErr == "" {
			page.OriginErr = f.E("scope") + f.E("by")
		}
		return render(c, fiber.StatusUnprocessableEntity, views.PostalTracking(h.Page(c, "Tracking", "postal"), page))
	}
	// Every day of the period has a point, zero when nothing was issued.
	byDay := map[string]metering.DailyVolume{}
	for _, d := range t.Daily {
		byDay[d.Day] = d
	}
	page.Volume = views.LineChartData{ID: "volume-chart", Title: "Pieces per day of issue"}
	page.Revenue = views.LineChartData{ID: "revenue-chart", Title: "Postage per day of issue", Money: true}
	pieces := views.ChartLine{Name: "Pieces", Class: "series-actual"}
	inProcess := views.ChartLine{Name: "Still in process", Class: "series-baseline"}
	revenue := views.ChartLine{Name: "Postage", Class: "series-revenue"}
	first := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1-t.Days)
	for d := first; !d.After(time.Now().UTC()); d = d.AddDate(0, 0, 1) {
		v := byDay[d.Format(time.DateOnly)]
		label := d.Format("01-02")
		page.Volume.Labels = append(page.Volume.Labels, label)
		page.Revenue.Labels = append(page.Revenue.Labels, label)
		pieces.Values = append(pieces.Values, float64(v.Pieces))
		inProcess.Values = append(inProcess.Values, float64(v.InProcess))
		revenue.Values = append(revenue.Values, float64(v.Postage))
	}
	page.Volume.Lines = []views.ChartLine{pieces, inProcess}
	page.Revenue.Lines = []views.ChartLine{revenue}
	page.Top = views.BarChartData{ID: "top-chart", Title: "Origins with the most postage", Money: true}
	for _, o := range t.Top {
		page.Top.Labels = append(page.Top.Labels, o.Origin)
		page.Top.Values = append(page.Top.Values, float64(o.Postage))
		page.TopRows = append(page.TopRows, views.TrackingDayRow{Origin: o.Origin, Pieces: strconv.FormatInt(o.Pieces, 10), Postage: views.Money(o.Postage)})
	}
	for _, r := range t.Rows {
		origin := r.Origin
		if origin == "" {
			origin = "all"
		}
		page.Rows = append(page.Rows, views.TrackingDayRow{Day: r.Day, Origin: origin, Pieces: strconv.FormatInt(r.Pieces, 10), Postage: views.Money(r.Postage),
			InProcess: strconv.FormatInt(r.InProcess, 10), PostageInProcess: views.Money(r.PostageInProcess), Processed: strconv.FormatInt(r.Processed, 10),
			Voided: strconv.FormatInt(r.Voided, 10)})
	}
	if t.RowsPages > 1 {
		page.RowsPage = fmt.Sprintf("Page %d of %d, %d days each, the newest first.", t.RowsPage, t.RowsPages, metering.TrackingPageDays)
		link := func(n int) string {
			q := url.Values{"days": {strconv.Itoa(t.Days)}, "scope": {t.Scope}, "by": {t.By}, "page": {strconv.Itoa(n)}, "owed_page": {strconv.Itoa(t.OwedPage)}}
			return "/postal/tracking?" + q.Encode() + "#tracking-days"
		}
		if t.RowsPage > 1 {
			page.NewerURL = link(t.RowsPage - 1)
		}
		if t.RowsPage < t.RowsPages {
			page.OlderURL = link(t.RowsPage + 1)
		}
	}
	if t.OwedPages > 1 {
		unit := fmt.Sprintf("%d settled days", payments.OwedPageDays)
		if t.By == "month" {
			unit = "one month"
		}
		page.OwedPage = fmt.Sprintf("Page %d of %d, %s each, the newest first.", t.OwedPage, t.OwedPages, unit)
		link := func(n int) string {
			q := url.Values{"days": {strconv.Itoa(t.Days)}, "scope": {t.Scope}, "by": {t.By}, "page": {strconv.Itoa(t.RowsPage)}, "owed_page": {strconv.Itoa(n)}}
			if t.Origin != "" {
				q.Set("origin", t.Origin)
			}
			return "/postal/tracking?" + q.Encode() + "#funds-owed"
		}
		if t.OwedPage > 1 {
			page.OwedNewerURL = link(t.OwedPage - 1)
		}
		if t.OwedPage < t.OwedPages {
			page.OwedOlderURL = link(t.OwedPage + 1)
		}
	}
	for _, o := range t.Owed {
		page.Owed = append(page.Owed, views.OwedRow{Period: o.Period, OriginZIP: o.OriginZIP, Pieces: strconv.FormatInt(o.Pieces, 10), Postage: views.Money(o.Postage)})
	}
	page.TotalPieces, page.TotalPostage = strconv.FormatInt(t.Totals.Pieces, 10), views.Money(t.Totals.Postage)
	page.TotalInProcess, page.TotalProcessed = strconv.FormatInt(t.Totals.InProcess, 10), strconv.FormatInt(t.Totals.Processed, 10)
	page.OwedTotal = views.Money(t.OwedSum)
	return render(c, fiber.StatusOK, views.PostalTracking(h.Page(c, "Tracking", "postal"), page))
}
