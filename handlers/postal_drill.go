package handlers

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/metering"
	"indicia/views"
	"indicia/web/request"
)

// postalPieceLimit is how many of a meter's newest pieces its postal page
// and its JSON list.
const postalPieceLimit = 200

// postalDays reads the period of a postal drill-down (default 30 days).
func postalDays(c fiber.Ctx) (int, error) {
	d := strings.TrimSpace(c.Query("days"))
	if d == "" {
		return 30, nil
	}
	n, err := strconv.Atoi(d)
	if err != nil {
		return 0, apperr.Invalid("days", "Enter the period as a number of days.")
	}
	return n, nil
}

// PostalOrigin lists the meters that mailed from one origin ZIP.
func (h *Handler) PostalOrigin(c fiber.Ctx) error {
	days, err := postalDays(c)
	if err != nil {
		return err
	}
	zip := c.Params("zip")
	list, err := h.d.Metering.OriginMeters(c.Context(), *request.Actor(c), zip, days)
	if err != nil {
		return err
	}
	rows := make([]views.OriginMeterRow, 0, len(list))
	for _, m := range list {
		rows = append(rows, views.OriginMeterRow{Serial: m.Serial, Status: m.Status, Pieces: strconv.FormatInt(m.Pieces, 10), Postage: views.Money(m.Postage),
			InProcess: strconv.FormatInt(m.InProcess, 10), Processed: strconv.FormatInt(m.Processed, 10), Voided: strconv.FormatInt(m.Voided, 10)})
	}
	return render(c, fiber.StatusOK, views.PostalOrigin(h.Page(c, "Origin "+zip, "postal"), zip, strconv.Itoa(days), rows))
}

// APIPostalOrigin is PostalOrigin as JSON.
func (h *Handler) APIPostalOrigin(c fiber.Ctx) error {
	days, err := postalDays(c)
	if err != nil {
		return err
	}
	list, err := h.d.Metering.OriginMeters(c.Context(), *request.Actor(c), c.Params("zip"), days)
	if err != nil {
		return err
	}
	if list == nil {
		list = []metering.OriginMeter{}
	}
	return c.JSON(fiber.Map{"origin_zip": c.Params("zip"), "days": days, "meters": list})
}

// PostalMeter shows a meter to postal staff: its fraud signals, resolvable
// here, and its newest pieces.
func (h *Handler) PostalMeter(c fiber.Ctx) error {
	return h.renderPostalMeter(c, fiber.StatusOK, 0, emptyForm())
}

func (h *Handler) renderPostalMeter(c fiber.Ctx, status int, fraudID int64, fraudForm views.Form) error {
	m, err := h.d.Metering.PostalMeterView(c.Context(), *request.Actor(c), c.Params("serial"), postalPieceLimit)
	if err != nil {
		return err
	}
	page := views.PostalMeterPage{Serial: m.Serial, Status: m.Status, Suspended: m.Suspended, OriginZIP: m.OriginZIP,
		Signals: fraudRowsOf(m.Signals, fraudID, fraudForm)}
	for _, p := range m.Pieces {
		r := views.PostalPieceRow{Piece: strconv.FormatInt(p.PieceNumber, 10), Issued: p.IssuedAt.UTC().Format("2006-01-02 15:04"), MailingDate: p.MailingDate,
			Postage: views.Money(p.Postage), Class: p.MailClass, Origin: p.OriginZIP, Dest: p.DestZIP, State: strings.ReplaceAll(p.State, "_", " ")}
		if p.ScannedAt != nil {
			r.Scanned = p.ScannedAt.UTC().Format("2006-01-02 15:04") + " " + p.ScanLocation
		}
		page.Pieces = append(page.Pieces, r)
	}
	return render(c, status, views.PostalMeter(h.Page(c, "Meter "+m.Serial, "postal"), page))
}

// APIPostalMeter is PostalMeter as JSON.
func (h *Handler) APIPostalMeter(c fiber.Ctx) error {
	m, err := h.d.Metering.PostalMeterView(c.Context(), *request.Actor(c), c.Params("serial"), postalPieceLimit)
	if err != nil {
		return err
	}
	type signal struct {
		ID         int64  `json:"id"`
		Kind       string `json:"kind"`
		Piece      int64  `json:"piece_number,omitempty"`
		Detail     string `json:"detail"`
		CreatedAt  string `json:"created_at"`
		Open       bool   `json:"open"`
		Resolution string `json:"resolution,omitempty"`
	}
	signals := make([]signal, 0, len(m.Signals))
	for _, f := range m.Signals {
		signals = append(signals, signal{ID: f.ID, Kind: f.Kind, Piece: f.Piece, Detail: f.Detail, CreatedAt: f.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"),
			Open: f.Open(), Resolution: f.Resolution})
	}
	if m.Pieces == nil {
		m.Pieces = []metering.PostalPiece{}
	}
	return c.JSON(fiber.Map{"meter": m, "fraud_signals": signals})
}

// ResolveMeterFraudSignal resolves a fraud signal from its meter's page and
// goes back there; without a usable resolution the page comes back with the
// message next to the signal's field.
func (h *Handler) ResolveMeterFraudSignal(c fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return apperr.NotFound("No such fraud signal.")
	}
	f := form(c, "resolution")
	if err := h.d.Metering.ResolveFraudSignal(c.Context(), *request.Actor(c), id, f.V("resolution")); err != nil {
		if formError(&f, err) {
			return h.renderPostalMeter(c, fiber.StatusUnprocessableEntity, id, f)
		}
		return err
	}
	return h.redirectWith(c, "/postal/meters/"+c.Params("serial"), "Fraud signal resolved.")
}
