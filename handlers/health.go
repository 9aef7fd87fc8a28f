package handlers

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v3"
)

// Healthz says the process is up; it checks nothing else on purpose.
func (h *Handler) Healthz(c fiber.Ctx) error { return c.SendString("ok") }

// Readyz checks every dependency and reports each one.
func (h *Handler) Readyz(c fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.Context(), 2*time.Second)
	defer cancel()
	out := fiber.Map{}
	status := fiber.StatusOK
	for _, ch := range h.d.Checks {
		if err := ch.Fn(ctx); err != nil {
			out[ch.Name] = "down"
			status = fiber.StatusServiceUnavailable
		} else {
			out[ch.Name] = "ok"
			if ch.Detail != nil {
				if d := ch.Detail(ctx); d != nil {
					out[ch.Name+"_status"] = d
				}
			}
		}
		if ch.Report != nil {
			out[ch.Name] = ch.Report(ctx)
		}
	}
	return c.Status(status).JSON(out)
}
