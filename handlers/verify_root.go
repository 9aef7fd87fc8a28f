package handlers

import (
	"context"
	"fmt"
	"log/slog"

	"indicia/metering"
	"indicia/metering/indicium"
	"indicia/views"
)

// rootFingerprint is the vendor root's SHA-256 fingerprint for the verify
// page, "" when the box does not answer (the page still works).
func (h *Handler) rootFingerprint(ctx context.Context) string {
	if h.d.RootCert == nil {
		return ""
	}
	pemData, err := h.d.RootCert(ctx)
	if err != nil {
		slog.WarnContext(ctx, "verify page: vendor root unavailable", "err", err)
		return ""
	}
	certs, err := indicium.ParseCertificatesPEM(pemData)
	if err != nil {
		slog.WarnContext(ctx, "verify page: vendor root unreadable", "err", err)
		return ""
	}
	return indicium.Fingerprint(certs[0])
}

// versionFields are the rows that depend on the indicium's layout version.
func versionFields(d *metering.Decoded) []views.Option {
	rows := []views.Option{{Label: "Indicium version", Value: fmt.Sprint(d.Version)}}
	if d.DR != nil {
		rows = append(rows, views.Option{Label: "Descending register", Value: views.Money(*d.DR)})
	}
	if d.CertSerial != "" {
		rows = append(rows, views.Option{Label: "Certificate serial", Value: d.CertSerial})
	}
	if d.KeyID != "" {
		rows = append(rows, views.Option{Label: "Key id", Value: d.KeyID})
	}
	if d.Software != "" {
		rows = append(rows, views.Option{Label: "Software", Value: d.Software})
	}
	return rows
}
