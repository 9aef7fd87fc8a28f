package handlers

import (
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v3"

	"indicia/views"
	"indicia/web/request"
)

// LoginChainAlerts lists the broken links of the login chain for vendor admins.
func (h *Handler) LoginChainAlerts(c fiber.Ctx) error {
	return h.renderLoginChainAlerts(c, fiber.StatusOK, 0, emptyForm())
}

// renderLoginChainAlerts renders the alerts, open ones first; form, if id is
// not zero, is that alert's resolve form as submitted.
func (h *Handler) renderLoginChainAlerts(c fiber.Ctx, status int, id int64, form views.Form) error {
	actor := *request.Actor(c)
	alerts, err := h.d.Accounts.ChainAlerts(c.Context(), actor, 200)
	if err != nil {
		return err
	}
	open, err := h.d.Accounts.OpenChainAlerts(c.Context())
	if err != nil {
		return err
	}
	rows := make([]views.LoginChainAlertRow, 0, len(alerts))
	for _, a := range alerts {
		r := views.LoginChainAlertRow{ID: strconv.FormatInt(a.ID, 10), When: a.CreatedAt.UTC().Format("2006-01-02 15:04:05"),
			Broken:  fmt.Sprintf("#%d (segment %d, seq %d)", a.BrokenLoginID, a.BrokenSegment, a.BrokenSeq),
			Segment: fmt.Sprintf("%d, from #%d", a.Segment, a.SegmentLoginID),
			Reason:  a.Reason, Detail: a.Detail, Open: a.Open(), Form: emptyForm()}
		if a.ResolvedAt != nil {
			r.Resolved, r.ResolvedBy, r.Resolution = a.ResolvedAt.UTC().Format("2006-01-02 15:04"), a.ResolvedBy, a.Resolution
			if r.ResolvedBy == "" {
				r.ResolvedBy = "system"
			}
		}
		if a.ID == id {
			r.Form = form
		}
		rows = append(rows, r)
	}
	return render(c, status, views.LoginChainAlerts(h.Page(c, "Login chain alerts", "login-alerts"), rows, open))
}
