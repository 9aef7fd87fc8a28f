package handlers

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v3"

	"indicia/metering"
	"indicia/metering/box"
	"indicia/views"
)

// revokeFrom reads the revocation choice of the suspend and retire forms.
func revokeFrom(f views.Form) metering.RevokeFrom {
	return metering.RevokeFrom{Mode: f.V("revoke_from"), Date: f.V("revoke_date")}
}

// revokingReason reports a suspension reason that revokes the certificate.
func revokingReason(reason string) bool {
	return reason == box.ReasonCreditAbuse || reason == box.ReasonMeterAbuse || reason == box.ReasonTamper
}

// revokedText describes a meter's revocation for its admin page.
func (h *Handler) revokedText(c fiber.Ctx, m metering.Meter) (string, error) {
	r, err := h.d.Metering.RevocationOf(c.Context(), m.Record.Serial)
	if err != nil || r == nil {
		return "", err
	}
	return "from " + r.RevokedFrom.Format("2006-01-02 15:04 MST") + " (" + strings.ReplaceAll(r.Reason, "_", " ") + ")", nil
}

// Revocations publishes the meter certificate revocation list: an X.509
// CRL signed by the vendor root, PEM. Verifiers fetch it with the
// certificates and refuse it after its next update.
func (h *Handler) Revocations(c fiber.Ctx) error {
	crl, err := h.d.Metering.RevocationList(c.Context())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/x-pem-file")
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.Send(crl)
}

// revokedFrom maps each revoked meter's serial to its revocation time.
func (h *Handler) revokedFrom(c fiber.Ctx) (map[string]*time.Time, error) {
	list, err := h.d.Metering.Revocations(c.Context())
	if err != nil {
		return nil, err
	}
	out := make(map[string]*time.Time, len(list))
	for _, r := range list {
		out[r.Serial] = &r.RevokedFrom
	}
	return out, nil
}
