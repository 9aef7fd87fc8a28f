package handlers

import (
	"context"
	"slices"

	"indicia/accounts"
	"indicia/postage"
)

// findPreset finds a package preset a batch row names.
func (h *Handler) findPreset(ctx context.Context, u accounts.User, name string) (postage.BatchPreset, error) {
	p, err := h.d.Presets.ByName(ctx, u, name)
	if err != nil {
		return postage.BatchPreset{}, err
	}
	return postage.BatchPreset{MailClass: p.MailClass, WeightOz: p.WeightOz, Length: p.Length, Width: p.Width, Height: p.Height, Services: p.Services}, nil
}

// sortBadRows puts refused rows in file order.
func sortBadRows(bad []postage.BadRow) []postage.BadRow {
	slices.SortStableFunc(bad, func(a, b postage.BadRow) int { return a.Line - b.Line })
	return bad
}
