package handlers

import (
	"strings"

	"github.com/gofiber/fiber/v3"
)

// Certs publishes the vendor root certificate followed by every meter
// certificate, PEM: all a verifier needs to check an indicium offline.
func (h *Handler) Certs(c fiber.Ctx) error {
	root, err := h.d.RootCert(c.Context())
	if err != nil {
		return err
	}
	meters, err := h.d.Metering.MeterCertificates(c.Context())
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("# Indicia vendor root certificate, then one certificate per meter (CN = meter serial).\n")
	b.Write(root)
	for _, m := range meters {
		b.WriteString(m)
	}
	c.Set(fiber.HeaderContentType, "application/x-pem-file")
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.SendString(b.String())
}
