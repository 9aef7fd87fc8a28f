package handlers

import (
	"github.com/gofiber/fiber/v3"

	"indicia/web/request"
)

// apiListedLabel is a label in the history: the label and what the list
// adds (who bought it, its cost code, what became of it).
type apiListedLabel struct {
	apiLabel
	ListStatus  string  `json:"list_status"`
	PurchasedAt string  `json:"purchased_at"`
	UserID      int64   `json:"user_id,omitempty"`
	CostCodeID  int64   `json:"cost_code_id,omitempty"`
	CostCode    string  `json:"cost_code,omitempty"`
	UsedAt      *string `json:"used_at,omitempty"`
}

type apiLabelList struct {
	Labels     []apiListedLabel `json:"labels"`
	NextCursor string           `json:"next_cursor,omitempty"`
}

// APIListLabels is GET /api/v1/labels: the key's account's labels with the
// history's filters, a keyset page at a time (next_cursor).
func (h *Handler) APIListLabels(c fiber.Ctx) error {
	actor := *request.Actor(c)
	ch, err := h.labelChoicesFor(c.Context(), actor)
	if err != nil {
		return err
	}
	get := func(n string) string { return c.Query(n) }
	f, err := parseLabelFilter(get, ch)
	if err != nil {
		return err
	}
	limit, err := parseLimit(c.Query("limit"), 100)
	if err != nil {
		return err
	}
	lp, err := h.d.Metering.ListLabels(c.Context(), actor, f, c.Query("cursor"), limit)
	if err != nil {
		return err
	}
	out := apiLabelList{Labels: make([]apiListedLabel, 0, len(lp.Labels)), NextCursor: lp.Next}
	for _, l := range lp.Labels {
		x := apiListedLabel{apiLabel: toAPILabel(l.Label), ListStatus: l.ListStatus(), PurchasedAt: l.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"),
			UserID: l.UserID, CostCodeID: l.CostCodeID, CostCode: l.CostCode}
		if l.State.UsedAt != nil {
			s := l.State.UsedAt.UTC().Format("2006-01-02T15:04:05Z")
			x.UsedAt = &s
		}
		out.Labels = append(out.Labels, x)
	}
	return c.JSON(out)
}
