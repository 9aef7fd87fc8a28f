package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/presets"
	"indicia/web/request"
)

// apiPresetInput is a preset sent to the API; fields left out of a PATCH
// stay as they are.
type apiPresetInput struct {
	Name      *string   `json:"name"`
	MailClass *string   `json:"mail_class"`
	WeightOz  *float64  `json:"weight_oz"`
	Length    *float64  `json:"length"`
	Width     *float64  `json:"width"`
	Height    *float64  `json:"height"`
	Services  *[]string `json:"services"`
}

func (in apiPresetInput) input() presets.Input {
	return presets.Input{Name: in.Name, MailClass: in.MailClass, WeightOz: in.WeightOz, Length: in.Length, Width: in.Width, Height: in.Height, Services: in.Services}
}

func presetID(c fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return 0, apperr.NotFound("No such package preset.")
	}
	return id, nil
}

// APIPresets lists the account's package presets.
func (h *Handler) APIPresets(c fiber.Ctx) error {
	list, err := h.d.Presets.List(c.Context(), *request.Actor(c))
	if err != nil {
		return err
	}
	if list == nil {
		list = []presets.Preset{}
	}
	return c.JSON(fiber.Map{"presets": list})
}

// APICreatePreset saves a package preset.
func (h *Handler) APICreatePreset(c fiber.Ctx) error {
	var in apiPresetInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := h.d.Presets.Create(c.Context(), *request.Actor(c), in.input())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(p)
}

// APIPreset returns one package preset.
func (h *Handler) APIPreset(c fiber.Ctx) error {
	id, err := presetID(c)
	if err != nil {
		return err
	}
	p, err := h.d.Presets.Get(c.Context(), *request.Actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

// APIUpdatePreset changes a package preset.
func (h *Handler) APIUpdatePreset(c fiber.Ctx) error {
	id, err := presetID(c)
	if err != nil {
		return err
	}
	var in apiPresetInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := h.d.Presets.Update(c.Context(), *request.Actor(c), id, in.input())
	if err != nil {
		return err
	}
	return c.JSON(p)
}

// APIDeletePreset removes a package preset.
func (h *Handler) APIDeletePreset(c fiber.Ctx) error {
	id, err := presetID(c)
	if err != nil {
		return err
	}
	if err := h.d.Presets.Delete(c.Context(), *request.Actor(c), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
