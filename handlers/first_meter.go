package handlers

import (
	"context"
	"log/slog"

	"indicia/accounts"
)

// provisionFirstMeter gives a newly confirmed account its active meter at
// the account's origin ZIP, once: sign-up makes none, so that answering a
// new address costs what answering a taken one does. A failure is logged;
// the next confirmation link, or an admin, provisions it.
func (h *Handler) provisionFirstMeter(ctx context.Context, u accounts.User) {
	if u.Role != accounts.RoleOwner {
		return
	}
	acct, err := h.d.Accounts.Account(ctx, accounts.System, u.AccountID)
	if err == nil {
		_, _, err = h.d.Metering.ProvisionFirst(ctx, acct.ID, acct.OriginZIP)
	}
	if err != nil {
		slog.ErrorContext(ctx, "confirm email: provision meter", "account", u.AccountID, "err", err)
	}
}
