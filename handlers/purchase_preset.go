package handlers

import (
	"context"
	"strconv"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/metering/rating"
	"indicia/views"
)

// presetOptions lists the account's package presets for the purchase form.
func (h *Handler) presetOptions(ctx context.Context, u accounts.User, chosen string) ([]views.Option, error) {
	if h.d.Presets == nil || !u.Role.IsMailer() {
		return nil, nil
	}
	list, err := h.d.Presets.List(ctx, u)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, nil
	}
	out := []views.Option{{Value: "", Label: "— choose a preset —", Selected: chosen == ""}}
	for _, p := range list {
		id := strconv.FormatInt(p.ID, 10)
		out = append(out, views.Option{Value: id, Label: p.Name + " · " + rating.ClassName(p.MailClass) + " · " + num(p.WeightOz) + " oz", Selected: id == chosen})
	}
	return out, nil
}

// applyPreset fills the purchase form's piece from the chosen preset and
// returns its services; the recipient and everything else stay as typed.
func (h *Handler) applyPreset(ctx context.Context, u accounts.User, f views.Form) ([]string, error) {
	id, err := strconv.ParseInt(f.V("preset_id"), 10, 64)
	if err != nil {
		return nil, apperr.Invalid("preset_id", "Choose one of your presets.")
	}
	p, err := h.d.Presets.Get(ctx, u, id)
	if apperr.KindOf(err) == apperr.KindNotFound {
		return nil, apperr.Invalid("preset_id", "That preset is gone; choose another.")
	}
	if err != nil {
		return nil, err
	}
	f.Values["class"], f.Values["weight_lb"], f.Values["weight_oz"] = p.MailClass, "", num(p.WeightOz)
	for k, v := range map[string]float64{"length": p.Length, "width": p.Width, "height": p.Height} {
		f.Values[k] = ""
		if v > 0 {
			f.Values[k] = num(v)
		}
	}
	return p.Services, nil
}
