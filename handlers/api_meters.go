package handlers

import (
	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/metering"
)

type apiMeter struct {
	Serial        string `json:"serial"`
	MfgNumber     string `json:"mfg_number"`
	AccountID     int64  `json:"account_id"`
	OriginZIP     string `json:"origin_zip"`
	Status        string `json:"status"`
	SuspendReason string `json:"suspend_reason,omitempty"`
	AR            int64  `json:"ascending_register"`
	DR            int64  `json:"descending_register"`
	PieceCount    int64  `json:"piece_count"`
	Counter       int64  `json:"update_counter"`
	TamperHold    string `json:"tamper_hold,omitempty"`
	Certificate   string `json:"certificate_pem"`
}

func toAPIMeter(m metering.Meter) apiMeter {
	r := m.Record
	return apiMeter{Serial: r.Serial, MfgNumber: r.MfgNumber, AccountID: r.AccountID, OriginZIP: r.OriginZIP, Status: r.Status,
		SuspendReason: r.SuspendReason, AR: r.AR, DR: r.DR, PieceCount: r.PieceCount, Counter: r.Counter, TamperHold: m.TamperHold, Certificate: m.CertPEM}
}

// APIMeters lists the caller's meters (every meter for a vendor admin).
func (h *Handler) APIMeters(c fiber.Ctx) error {
	u := Actor(c)
	ms, err := h.d.Metering.Meters(c.Context(), *u, u.AccountID)
	if err != nil {
		return err
	}
	out := make([]apiMeter, 0, len(ms))
	for _, m := range ms {
		out = append(out, toAPIMeter(m))
	}
	return c.JSON(fiber.Map{"meters": out})
}

// APIMeter returns one meter by serial.
func (h *Handler) APIMeter(c fiber.Ctx) error {
	m, err := h.d.Metering.MeterBySerial(c.Context(), *Actor(c), c.Params("serial"))
	if err != nil {
		return err
	}
	return c.JSON(toAPIMeter(m))
}

type manufactureRequest struct {
	AccountID int64 `json:"account_id"`
}

// APIManufactureMeter makes a meter for a master account (vendor admins).
func (h *Handler) APIManufactureMeter(c fiber.Ctx) error {
	var req manufactureRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	m, err := h.d.Metering.Manufacture(c.Context(), *Actor(c), req.AccountID)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toAPIMeter(m))
}

type lifecycleRequest struct {
	OriginZIP  string `json:"origin_zip,omitempty"`
	Reason     string `json:"reason,omitempty"`
	Amount     int64  `json:"amount,omitempty"`
	TransferID string `json:"transfer_id,omitempty"`
}

// APIMeterAction runs a lifecycle step or a credit: POST /api/v1/meters/:serial/:action.
func (h *Handler) APIMeterAction(c fiber.Ctx) error {
	u := *Actor(c)
	if u.Role != accounts.RoleAdmin {
		return apperr.Forbidden("Only vendor admins run the meter lifecycle.")
	}
	m, err := h.d.Metering.MeterBySerial(c.Context(), u, c.Params("serial"))
	if err != nil {
		return err
	}
	var req lifecycleRequest
	if len(c.Body()) > 0 {
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
	}
	svc, ctx := h.d.Metering, c.Context()
	switch c.Params("action") {
	case "register":
		m, err = svc.Register(ctx, u, m.ID, req.OriginZIP)
	case "activate":
		m, err = svc.Activate(ctx, u, m.ID)
	case "suspend":
		m, err = svc.Suspend(ctx, u, m.ID, req.Reason)
	case "retire":
		m, err = svc.Retire(ctx, u, m.ID)
	case "credit":
		m, err = svc.Credit(ctx, u, m.ID, req.Amount, metering.CreditAdmin, req.TransferID)
	default:
		return apperr.NotFound("Unknown meter action " + c.Params("action") + "; use register, activate, suspend, retire or credit.")
	}
	if err != nil {
		return err
	}
	return c.JSON(toAPIMeter(m))
}
