package handlers

import (
	"math"
	"strconv"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/metering"
	"indicia/views"
	"indicia/web/request"
)

// forecastListLimit is how many origins of each scope the forecast list shows.
const forecastListLimit = 100

func pct(p *float64) string {
	if p == nil {
		return "–"
	}
	return strconv.FormatFloat(*p, 'f', 1, 64) + "%"
}

func num1(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', 1, 64)
}

func methodName(m string) string {
	switch m {
	case "holt_winters":
		return "Holt-Winters"
	case "seasonal_naive":
		return "Seasonal naive (baseline)"
	}
	return m
}

// PostalForecasts lists the newest forecasts per ZIP3 and origin ZIP.
func (h *Handler) PostalForecasts(c fiber.Ctx) error {
	u := *request.Actor(c)
	var lists [2][]views.ForecastOriginRow
	for i, scope := range []string{"zip", "zip3"} {
		os, err := h.d.Metering.ForecastOrigins(c.Context(), u, scope, forecastListLimit)
		if err != nil {
			return err
		}
		for _, o := range os {
			lists[i] = append(lists[i], views.ForecastOriginRow{Scope: o.Scope, Origin: o.Origin, History: strconv.FormatInt(o.HistoryPieces, 10),
				NextWeek: strconv.FormatFloat(o.NextWeek, 'f', 0, 64), MAPE: pct(o.MAPE), BaselineMAPE: pct(o.BaselineMAPE)})
		}
	}
	return render(c, fiber.StatusOK, views.PostalForecasts(h.Page(c, "Volume forecasts", "postal"), lists[0], lists[1]))
}

// APIPostalForecasts is PostalForecasts as JSON, one scope at a time.
func (h *Handler) APIPostalForecasts(c fiber.Ctx) error {
	scope := c.Query("scope", "zip")
	if scope != "zip" && scope != "zip3" {
		return apperr.Invalid("scope", "Choose zip or zip3.")
	}
	os, err := h.d.Metering.ForecastOrigins(c.Context(), *request.Actor(c), scope, forecastListLimit)
	if err != nil {
		return err
	}
	if os == nil {
		os = []metering.ForecastOrigin{}
	}
	return c.JSON(fiber.Map{"scope": scope, "origins": os})
}

// PostalForecast shows one origin's forecast: a chart of actuals, past
// forecasts and the next 14 days with the interval, the backtest of both
// methods, and the same numbers day by day.
func (h *Handler) PostalForecast(c fiber.Ctx) error {
	v, err := h.d.Metering.ForecastOf(c.Context(), *request.Actor(c), c.Params("scope"), c.Params("origin"))
	if err != nil {
		return err
	}
	page := views.PostalForecastPage{Scope: v.Scope, Origin: v.Origin, MadeOn: v.MadeOn}
	nan := math.NaN()
	val := func(p *float64) float64 {
		if p == nil {
			return nan
		}
		return *p
	}
	ch := views.LineChartData{ID: "forecast-chart", Title: "Daily pieces at " + v.Origin + ": actual, Holt-Winters forecast with its 95% interval, seasonal naive",
		Band: &views.ChartBand{Name: "95% interval", Class: "band-interval"}}
	actual := views.ChartLine{Name: "Actual pieces", Class: "series-actual"}
	fc := views.ChartLine{Name: "Holt-Winters forecast", Class: "series-forecast"}
	base := views.ChartLine{Name: "Seasonal naive", Class: "series-baseline"}
	for _, d := range v.Days {
		ch.Labels = append(ch.Labels, d.Day[5:])
		actual.Values = append(actual.Values, val(d.Actual))
		fc.Values = append(fc.Values, val(d.Forecast))
		base.Values = append(base.Values, val(d.Baseline))
		future := d.Day >= v.MadeOn
		lo, hi := nan, nan
		row := views.ForecastDayRow{Day: d.Day, Actual: num1(d.Actual), Forecast: num1(d.Forecast), Baseline: num1(d.Baseline), Future: future}
		if future && d.Lower != nil {
			lo, hi = *d.Lower, *d.Upper
			row.Interval = num1(d.Lower) + " – " + num1(d.Upper)
		}
		ch.Band.Lower, ch.Band.Upper = append(ch.Band.Lower, lo), append(ch.Band.Upper, hi)
		page.Days = append(page.Days, row)
	}
	ch.Lines = []views.ChartLine{actual, fc, base}
	page.Chart = ch
	for _, a := range v.Accuracy {
		page.Accuracy = append(page.Accuracy, views.ForecastAccuracyRow{Method: methodName(a.Method), MAPE: pct(a.MAPE),
			MAE: strconv.FormatFloat(a.MAE, 'f', 2, 64), Days: strconv.Itoa(a.Days)})
	}
	return render(c, fiber.StatusOK, views.PostalForecast(h.Page(c, "Forecast "+v.Origin, "postal"), page))
}

// APIPostalForecast is PostalForecast as JSON.
func (h *Handler) APIPostalForecast(c fiber.Ctx) error {
	v, err := h.d.Metering.ForecastOf(c.Context(), *request.Actor(c), c.Params("scope"), c.Params("origin"))
	if err != nil {
		return err
	}
	return c.JSON(v)
}
