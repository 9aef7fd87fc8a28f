package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/views"
	"indicia/web/request"
)

// CostCodes is the owner's page of the account's cost codes and the
// "required" setting.
func (h *Handler) CostCodes(c fiber.Ctx) error {
	return h.renderCostCodes(c, fiber.StatusOK, emptyForm(), emptyForm(), "")
}

func (h *Handler) renderCostCodes(c fiber.Ctx, status int, nf, sf views.Form, pageErr string) error {
	u := *request.Actor(c)
	codes, err := h.d.Accounts.CostCodes(c.Context(), u, true)
	if err != nil {
		return err
	}
	req, err := h.d.Accounts.CostCodeRequired(c.Context(), u.AccountID)
	if err != nil {
		return err
	}
	vm := views.CostCodesVM{Required: req, New: nf, Setting: sf}
	for _, cc := range codes {
		row := views.CostCodeRow{ID: strconv.FormatInt(cc.ID, 10), Name: cc.Name, Code: cc.Code, Status: "Active", Archived: cc.Archived()}
		if cc.Archived() {
			row.Status = "Archived " + cc.ArchivedAt.UTC().Format("2006-01-02")
		}
		vm.Codes = append(vm.Codes, row)
	}
	p := h.Page(c, "Cost codes", "cost-codes")
	p.Error = pageErr
	return render(c, status, views.CostCodes(p, vm))
}

// CreateCostCode adds a cost code from the page.
func (h *Handler) CreateCostCode(c fiber.Ctx) error {
	f := form(c, "name", "code")
	cc, err := h.d.Accounts.CreateCostCode(c.Context(), *request.Actor(c), f.V("name"), f.V("code"))
	if fields, ok := apperr.AsFields(err); ok {
		f.Errors = fields
		return h.renderCostCodes(c, fiber.StatusUnprocessableEntity, f, emptyForm(), "")
	}
	if err != nil {
		return err
	}
	return h.redirectWith(c, "/account/cost-codes", "Cost code "+cc.Label()+" added.")
}

// UpdateCostCode renames, archives or restores a cost code from the page.
func (h *Handler) UpdateCostCode(c fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return apperr.NotFound("No such cost code.")
	}
	f := form(c, "name", "code", "archived")
	in := accounts.CostCodeInput{Name: ptr(f.V("name")), Code: ptr(f.V("code"))}
	if a := f.V("archived"); a != "" {
		b := a == "true"
		in.Archived = &b
	}
	cc, err := h.d.Accounts.UpdateCostCode(c.Context(), *request.Actor(c), id, in)
	if fields, ok := apperr.AsFields(err); ok && apperr.KindOf(err) == apperr.KindInvalid {
		msg := ""
		for _, k := range []string{"name", "code"} {
			if fields[k] != "" && msg == "" {
				msg = fields[k]
			}
		}
		return h.renderCostCodes(c, fiber.StatusUnprocessableEntity, emptyForm(), emptyForm(), msg)
	}
	if err != nil {
		return err
	}
	flash := "Cost code " + cc.Label() + " saved."
	switch {
	case in.Archived != nil && *in.Archived:
		flash = "Cost code " + cc.Label() + " archived."
	case in.Archived != nil:
		flash = "Cost code " + cc.Label() + " restored."
	}
	return h.redirectWith(c, "/account/cost-codes", flash)
}

// SetCostCodeRequired saves the "required on every purchase" setting.
func (h *Handler) SetCostCodeRequired(c fiber.Ctx) error {
	f := form(c, "cost_code_required")
	required := f.V("cost_code_required") != ""
	err := h.d.Accounts.SetCostCodeRequired(c.Context(), *request.Actor(c), required)
	if ae, ok := apperr.As(err); ok && ae.Kind == apperr.KindInvalid {
		f.Errors[ae.Field] = ae.Message
		return h.renderCostCodes(c, fiber.StatusUnprocessableEntity, emptyForm(), f, "")
	}
	if err != nil {
		return err
	}
	flash := "Cost codes are now optional."
	if required {
		flash = "Every purchase must now name a cost code."
	}
	return h.redirectWith(c, "/account/cost-codes", flash)
}

func ptr[T any](v T) *T { return &v }
