package handlers

import (
	"context"
	"strconv"
	"strings"

	"indicia/accounts"
	"indicia/views"
)

// shipFromOptions lists the account's ship-from addresses for the purchase
// form, the default first and chosen unless the form names another; none
// when the account has none (the label prints the account's address).
func (h *Handler) shipFromOptions(ctx context.Context, u accounts.User, chosen string) ([]views.Option, error) {
	if h.d.ReturnAddresses == nil || !u.Role.IsMailer() {
		return nil, nil
	}
	list, err := h.d.ReturnAddresses.List(ctx, u, false)
	if err != nil {
		return nil, err
	}
	out := make([]views.Option, 0, len(list))
	for _, a := range list {
		id := strconv.FormatInt(a.ID, 10)
		label := a.Nickname + " — " + strings.Join(a.Lines, ", ")
		if a.Default {
			label += " (default)"
		}
		out = append(out, views.Option{Value: id, Label: label, Selected: id == chosen || (chosen == "" && a.Default)})
	}
	return out, nil
}
