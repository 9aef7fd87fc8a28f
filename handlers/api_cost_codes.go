package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/web/request"
)

// apiCostCodes is the account's cost codes and its "required" setting.
type apiCostCodes struct {
	Required  bool                `json:"required"`
	CostCodes []accounts.CostCode `json:"cost_codes"`
}

// APICostCodes lists the account's cost codes (archived ones with
// ?archived=true); every key of a mailer account may read them.
func (h *Handler) APICostCodes(c fiber.Ctx) error {
	u := *request.Actor(c)
	withArchived := false
	if v := c.Query("archived"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return apperr.Invalid("archived", "Use archived=true or archived=false.")
		}
		withArchived = b
	}
	codes, err := h.d.Accounts.CostCodes(c.Context(), u, withArchived)
	if err != nil {
		return err
	}
	req, err := h.d.Accounts.CostCodeRequired(c.Context(), u.AccountID)
	if err != nil {
		return err
	}
	if codes == nil {
		codes = []accounts.CostCode{}
	}
	return c.JSON(apiCostCodes{Required: req, CostCodes: codes})
}

// APICreateCostCode adds a cost code (the account owner's keys only).
func (h *Handler) APICreateCostCode(c fiber.Ctx) error {
	var in struct {
		Name string `json:"name"`
		Code string `json:"code"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	cc, err := h.d.Accounts.CreateCostCode(c.Context(), *request.Actor(c), in.Name, in.Code)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(cc)
}

// APIUpdateCostCode renames, re-codes, archives or restores a cost code
// (the account owner's keys only); fields left out stay as they are.
func (h *Handler) APIUpdateCostCode(c fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return apperr.NotFound("No such cost code.")
	}
	var in struct {
		Name     *string `json:"name"`
		Code     *string `json:"code"`
		Archived *bool   `json:"archived"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	cc, err := h.d.Accounts.UpdateCostCode(c.Context(), *request.Actor(c), id, accounts.CostCodeInput{Name: in.Name, Code: in.Code, Archived: in.Archived})
	if err != nil {
		return err
	}
	return c.JSON(cc)
}
