package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/web/request"
)

// APIPreviewLabel answers the specimen of the one piece a labels request
// body describes, as a PNG: what the label will look like and, in headers,
// what buying it costs. Its indicium is marked SPECIMEN and verifies for
// no meter; nothing is bought, charged or dispensed, and no register moves.
func (h *Handler) APIPreviewLabel(c fiber.Ctx) error {
	u := *request.Actor(c)
	if !u.Can(accounts.PermBuyPostage) {
		return apperr.Forbidden("This API key lacks the buy_postage scope.")
	}
	o, err := decodeAPIOrder(c)
	if err != nil {
		return err
	}
	if len(o.Pieces) != 1 {
		return apperr.Invalid("pieces", "A preview shows one piece; send exactly one in \"pieces\".")
	}
	o.PriceOnly, o.IdempotencyKey = true, ""
	q, err := h.d.Postage.Quote(c.Context(), u, o)
	if err != nil {
		return err
	}
	png, err := h.previewPNG(c.Context(), u, q)
	if err != nil {
		return err
	}
	c.Set("X-Postage-Cents", strconv.FormatInt(q.Total, 10))
	c.Set("X-Card-Fee-Cents", strconv.FormatInt(q.CardFee, 10))
	c.Set(fiber.HeaderContentType, "image/png")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="label-preview.png"`)
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(png)
}
