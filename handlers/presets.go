package handlers

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/metering/rating"
	"indicia/presets"
	"indicia/views"
	"indicia/web/request"
)

// Presets is the account's saved package presets page.
func (h *Handler) Presets(c fiber.Ctx) error {
	return h.renderPresets(c, fiber.StatusOK, emptyForm(), nil)
}

func (h *Handler) renderPresets(c fiber.Ctx, status int, nf views.Form, services []string) error {
	list, err := h.d.Presets.List(c.Context(), *request.Actor(c))
	if err != nil {
		return err
	}
	vm := views.PresetsVM{New: nf, Classes: domesticClassOptions(nf.V("mail_class")), Services: serviceOptions(services)}
	for _, p := range list {
		names := make([]string, 0, len(p.Services))
		for _, s := range p.Services {
			names = append(names, rating.ServiceName(s))
		}
		size := ""
		if p.Length > 0 || p.Width > 0 || p.Height > 0 {
			size = num(p.Length) + " × " + num(p.Width) + " × " + num(p.Height)
		}
		vm.Rows = append(vm.Rows, views.PresetRow{ID: strconv.FormatInt(p.ID, 10), Name: p.Name, Class: rating.ClassName(p.MailClass),
			Weight: num(p.WeightOz) + " oz", Size: size, Services: strings.Join(names, ", ")})
	}
	return render(c, status, views.Presets(h.Page(c, "Package presets", "presets"), vm))
}

// num prints a size or weight without trailing zeros.
func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// presetNumber reads an optional number of a preset form; problems land in f.
func presetNumber(f views.Form, name string) *float64 {
	v := strings.TrimSpace(f.V(name))
	if v == "" {
		if name == "weight_oz" {
			return ptr(0.0)
		}
		return nil
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil {
		f.Errors[name] = "Write a number, such as 3.5."
		return nil
	}
	return &n
}

// CreatePreset saves a preset from the page.
func (h *Handler) CreatePreset(c fiber.Ctx) error {
	f := form(c, "name", "mail_class", "weight_oz", "length", "width", "height")
	services := formMulti(c, "services")
	in := presets.Input{Name: ptr(f.V("name")), MailClass: ptr(f.V("mail_class")), Services: &services,
		WeightOz: presetNumber(f, "weight_oz"), Length: presetNumber(f, "length"), Width: presetNumber(f, "width"), Height: presetNumber(f, "height")}
	var p presets.Preset
	var err error
	if len(f.Errors) == 0 {
		p, err = h.d.Presets.Create(c.Context(), *request.Actor(c), in)
	}
	if formError(&f, err) || len(f.Errors) > 0 {
		if f.Errors["weight_oz"] == "" && f.V("weight_oz") == "" {
			f.Errors["weight_oz"] = "Enter the weight in ounces."
		}
		return h.renderPresets(c, fiber.StatusUnprocessableEntity, f, services)
	}
	if err != nil {
		return err
	}
	return h.redirectWith(c, "/account/presets", "Preset "+p.Name+" saved.")
}

// DeletePreset removes a preset from the page.
func (h *Handler) DeletePreset(c fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return apperr.NotFound("No such package preset.")
	}
	if err := h.d.Presets.Delete(c.Context(), *request.Actor(c), id); err != nil {
		return err
	}
	return h.redirectWith(c, "/account/presets", "Preset deleted.")
}
