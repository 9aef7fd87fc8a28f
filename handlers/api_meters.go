package handlers

import (
	"time"

	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/metering"
	"indicia/web/request"
)

type apiMeter struct {
	Serial        string `json:"serial"`
	MfgNumber     string `json:"mfg_number"`
	AccountID     int64  `json:"account_id"`
	CustomerID    int64  `json:"customer_id,omitempty"` // the number people know the account by
	OriginZIP     string `json:"origin_zip"`
	Status        string `json:"status"`
	SuspendReason string `json:"suspend_reason,omitempty"`
	AR            int64  `json:"ascending_register"`
	DR            int64  `json:"descending_register"`
	PieceCount    int64  `json:"piece_count"`
	Counter       int64  `json:"update_counter"`
	TamperHold    string `json:"tamper_hold,omitempty"`
	Certificate   string `json:"certificate_pem"`
	// RevokedFrom is set when the meter's certificate is revoked: labels
	// dated from that day on no longer verify.
	RevokedFrom *time.Time `json:"revoked_from,omitempty"`
}

func toAPIMeter(m metering.Meter) apiMeter {
	r := m.Record
	return apiMeter{Serial: r.Serial, MfgNumber: r.MfgNumber, AccountID: r.AccountID, OriginZIP: r.OriginZIP, Status: r.Status,
		SuspendReason: r.SuspendReason, AR: r.AR, DR: r.DR, PieceCount: r.PieceCount, Counter: r.Counter, TamperHold: m.TamperHold, Certificate: m.CertPEM}
}

// apiMeters shapes meters for the API with their accounts' customer IDs.
func (h *Handler) apiMeters(c fiber.Ctx, ms []metering.Meter) ([]apiMeter, error) {
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.Record.AccountID
	}
	as, err := h.d.Accounts.AccountsByID(c.Context(), *request.Actor(c), ids)
	if err != nil {
		return nil, err
	}
	revoked, err := h.revokedFrom(c)
	if err != nil {
		return nil, err
	}
	out := make([]apiMeter, 0, len(ms))
	for _, m := range ms {
		am := toAPIMeter(m)
		am.CustomerID = as[m.Record.AccountID].CustomerID
		am.RevokedFrom = revoked[m.Record.Serial]
		out = append(out, am)
	}
	return out, nil
}

// apiMeterJSON answers one meter.
func (h *Handler) apiMeterJSON(c fiber.Ctx, status int, m metering.Meter) error {
	out, err := h.apiMeters(c, []metering.Meter{m})
	if err != nil {
		return err
	}
	return c.Status(status).JSON(out[0])
}

// APIMeters lists the caller's meters (every meter for a vendor admin).
func (h *Handler) APIMeters(c fiber.Ctx) error {
	u := request.Actor(c)
	ms, err := h.d.Metering.Meters(c.Context(), *u, u.AccountID)
	if err != nil {
		return err
	}
	out, err := h.apiMeters(c, ms)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"meters": out})
}

// APIMeter returns one meter by serial.
func (h *Handler) APIMeter(c fiber.Ctx) error {
	m, err := h.d.Metering.MeterBySerial(c.Context(), *request.Actor(c), c.Params("serial"))
	if err != nil {
		return err
	}
	return h.apiMeterJSON(c, fiber.StatusOK, m)
}

// manufactureRequest names the master account by customer_id (the number
// people know) or by account_id (the internal id, as clients sent before).
type manufactureRequest struct {
	AccountID  int64 `json:"account_id"`
	CustomerID int64 `json:"customer_id"`
}

// APIManufactureMeter makes a meter for a master account (vendor admins).
func (h *Handler) APIManufactureMeter(c fiber.Ctx) error {
	var req manufactureRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u := *request.Actor(c)
	acct := req.AccountID
	if acct == 0 && req.CustomerID == 0 {
		return apperr.Invalid("customer_id", "Name the master account: send customer_id (the number on the mailer's dashboard, like 100001).")
	}
	if req.CustomerID != 0 {
		a, err := h.d.Accounts.AccountByCustomerID(c.Context(), u, "customer_id", req.CustomerID)
		if err != nil {
			return err
		}
		if acct != 0 && acct != a.ID {
			return apperr.Invalid("customer_id", "customer_id and account_id name two different master accounts; send one of them.")
		}
		acct = a.ID
	}
	m, err := h.d.Metering.Manufacture(c.Context(), u, acct)
	if err != nil {
		return err
	}
	return h.apiMeterJSON(c, fiber.StatusCreated, m)
}

type lifecycleRequest struct {
	OriginZIP  string `json:"origin_zip,omitempty"`
	Reason     string `json:"reason,omitempty"`
	Amount     int64  `json:"amount,omitempty"`
	TransferID string `json:"transfer_id,omitempty"`
	// RevokeFrom and RevokeDate choose the labels a revoking suspension or
	// a retirement revokes: now (default), date (from RevokeDate) or first.
	RevokeFrom string `json:"revoke_from,omitempty"`
	RevokeDate string `json:"revoke_date,omitempty"`
}

// APIMeterAction runs a lifecycle step or a credit: POST /api/v1/meters/:serial/:action.
func (h *Handler) APIMeterAction(c fiber.Ctx) error {
	u := *request.Actor(c)
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
		m, err = svc.SuspendRevoking(ctx, u, m.ID, req.Reason, metering.RevokeFrom{Mode: req.RevokeFrom, Date: req.RevokeDate})
	case "retire":
		m, err = svc.RetireRevoking(ctx, u, m.ID, metering.RevokeFrom{Mode: req.RevokeFrom, Date: req.RevokeDate})
	case "credit":
		m, err = svc.Credit(ctx, u, m.ID, req.Amount, metering.CreditAdmin, req.TransferID)
	default:
		return apperr.NotFound("Unknown meter action " + c.Params("action") + "; use register, activate, suspend, retire or credit.")
	}
	if err != nil {
		return err
	}
	return h.apiMeterJSON(c, fiber.StatusOK, m)
}
