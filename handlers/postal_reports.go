package handlers

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"

	"indicia/metering"
	"indicia/views"
)

// PostalReports shows postal staff the mail volume per origin post office,
// a 7-day forecast and open fraud signals.
func (h *Handler) PostalReports(c fiber.Ctx) error {
	days, daysText, daysErr := 30, "30", ""
	if d := c.Query("days"); d != "" {
		daysText = d
		n, err := strconv.Atoi(strings.TrimSpace(d))
		if err != nil {
			daysErr = "Enter the period as a number of days."
		}
		days = n
	}
	u := *Actor(c)
	var vols []metering.OriginVolume
	if daysErr == "" {
		var err error
		vols, err = h.d.Metering.VolumesByOrigin(c.Context(), u, days)
		// The period's range is the domain's rule; its message goes next to
		// the field like any other, not on an error page.
		f := emptyForm()
		if formError(&f, err) && f.E("days") != "" {
			daysErr = f.E("days")
		} else if err != nil {
			return err
		}
	}
	signals, err := h.d.Metering.FraudSignals(c.Context(), u, 100)
	if err != nil {
		return err
	}
	var vr []views.VolumeRow
	for _, v := range vols {
		vr = append(vr, views.VolumeRow{OriginZIP: v.OriginZIP, Pieces: strconv.FormatInt(v.Pieces, 10), Postage: views.Money(v.Postage),
			Voided: strconv.FormatInt(v.Voided, 10), Forecast: strconv.FormatInt(v.Forecast, 10)})
	}
	var fr []views.FraudRow
	for _, f := range signals {
		fr = append(fr, views.FraudRow{When: f.CreatedAt.UTC().Format("2006-01-02 15:04"), Kind: f.Kind, Serial: f.Serial,
			Piece: strconv.FormatInt(f.Piece, 10), Detail: f.Detail})
	}
	status := fiber.StatusOK
	if daysErr != "" {
		status = fiber.StatusUnprocessableEntity
	}
	return render(c, status, views.PostalReports(h.Page(c, "Postal reports", "postal"), daysText, daysErr, vr, fr))
}
