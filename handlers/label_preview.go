package handlers

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/labels"
	"indicia/metering/rating"
	"indicia/postage"
	"indicia/views"
)

// previewDPI keeps a preview small enough to send inline: a 4x6 in label
// at 100 dpi is 400 x 600 pixels, readable on a phone.
const previewDPI = 100

// previewPNG renders the first piece of a priced order as a specimen
// label: the price, addresses and services it would print, with an
// indicium that no meter signed. Nothing is bought, charged or dispensed.
func (h *Handler) previewPNG(ctx context.Context, u accounts.User, q postage.Quote) ([]byte, error) {
	if len(q.Pieces) == 0 {
		return nil, apperr.Invalid("pieces", "Send one piece to preview.")
	}
	m := q.Meter
	if m.ID == 0 {
		var err error
		if m, _, err = h.d.Postage.ChooseMeter(ctx, u, ""); err != nil {
			return nil, err
		}
	}
	r := q.Pieces[0].Request
	origin := r.OriginZIP
	if !m.Floating() || origin == "" {
		origin = m.Record.OriginZIP
	}
	date := r.MailingDate
	if date.IsZero() {
		date = time.Now().UTC()
	}
	l, err := labels.Specimen(labels.SpecimenPiece{Postage: r.Postage, MailingDate: date, OriginZIP: origin, DestZIP: r.DestZIP,
		Country: r.DestCountry, MailClass: r.MailClass, Services: r.Services, Standardized: r.Recipient.Standardized})
	if err != nil {
		return nil, err
	}
	if name := rating.ClassName(r.MailClass); name != "" {
		l.MailClass = strings.ToUpper(name)
	}
	for _, s := range postage.ServiceCodes(r.Services) {
		l.Services = append(l.Services, strings.ToUpper(rating.ServiceName(s)))
	}
	l.From, l.To = r.ShipFrom, r.Recipient.Lines
	if len(l.From) == 0 {
		l.From = h.sender(ctx, u)
	}
	l.Reference = referenceLine(accounts.CostCode{}, r.Reference)
	var buf bytes.Buffer
	if err := labels.PNG(&buf, l, previewDPI); err != nil {
		return nil, fmt.Errorf("handlers: preview: %w", err)
	}
	return buf.Bytes(), nil
}

// previewVM shapes a specimen for the purchase page: the image inline
// (the page's CSP allows data: images) and what buying it costs.
func previewVM(png []byte, q postage.Quote, fee int64) *views.PreviewVM {
	pv := &views.PreviewVM{ImageURL: "data:image/png;base64," + base64.StdEncoding.EncodeToString(png), Total: views.Money(q.Total)}
	if fee > 0 {
		pv.Fee, pv.Charge = views.Money(fee), views.Money(q.Total+fee)
	}
	return pv
}
