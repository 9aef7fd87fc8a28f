package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/views"
)

// PostalReports shows postal staff the mail volume per origin post office,
// a 7-day forecast and open fraud signals.
func (h *Handler) PostalReports(c fiber.Ctx) error {
	days := 30
	if d := c.Query("days"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil {
			return apperr.Invalid("days", "Enter the period as a number of days.")
		}
		days = n
	}
	u := *Actor(c)
	vols, err := h.d.Metering.VolumesByOrigin(c.Context(), u, days)
	if err != nil {
		return err
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
	return render(c, fiber.StatusOK, views.PostalReports(h.Page(c, "Postal reports", "postal"), strconv.Itoa(days), vr, fr))
}
