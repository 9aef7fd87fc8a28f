package handlers

import (
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/metering"
	"indicia/metering/indicium"
)

// MaxAPIBatch is the most pieces one API purchase may carry.
const MaxAPIBatch = 1000

type apiRecipient struct {
	Name    string `json:"name"`
	Company string `json:"company"`
	Address string `json:"address"`
}

type apiPiece struct {
	Postage     int64        `json:"postage"`
	MailingDate string       `json:"mailing_date"`
	OriginZIP   string       `json:"origin_zip"`
	DestZIP     string       `json:"dest_zip"`
	MailClass   string       `json:"mail_class"`
	Services    uint32       `json:"services"`
	Recipient   apiRecipient `json:"recipient"`
}

type apiPurchaseRequest struct {
	MeterSerial string     `json:"meter_serial"`
	Pieces      []apiPiece `json:"pieces"`
}

type apiLabel struct {
	ID          string   `json:"id"`
	MeterSerial string   `json:"meter_serial"`
	PieceNumber int64    `json:"piece_number"`
	Postage     int64    `json:"postage"`
	MailingDate string   `json:"mailing_date"`
	OriginZIP   string   `json:"origin_zip"`
	DestZIP     string   `json:"dest_zip"`
	MailClass   string   `json:"mail_class"`
	Services    uint32   `json:"services"`
	Recipient   []string `json:"recipient"`
	Indicium    string   `json:"indicium"`
	Status      string   `json:"status"`
}

type apiPurchase struct {
	ID       string     `json:"id"`
	Replayed bool       `json:"replayed"`
	Pieces   int        `json:"pieces"`
	Postage  int64      `json:"postage"`
	Labels   []apiLabel `json:"labels"`
}

func toAPILabel(l metering.Label) apiLabel {
	text := ""
	if in, err := indicium.Parse(l.Indicium); err == nil {
		text = in.Text()
	}
	return apiLabel{ID: l.PublicID, MeterSerial: l.Serial, PieceNumber: l.PieceNumber, Postage: l.Postage, MailingDate: l.MailingDate.Format("2006-01-02"),
		OriginZIP: l.OriginZIP, DestZIP: l.DestZIP, MailClass: l.MailClass, Services: l.Services, Recipient: l.Recipient.Lines, Indicium: text, Status: l.Status}
}

func toAPIPurchase(p metering.Purchase) apiPurchase {
	out := apiPurchase{ID: p.PublicID, Replayed: p.Replayed, Pieces: p.Pieces, Postage: p.Postage, Labels: make([]apiLabel, 0, len(p.Labels))}
	for _, l := range p.Labels {
		out.Labels = append(out.Labels, toAPILabel(l))
	}
	return out
}

// APIBuyLabels buys postage for one piece or a batch: the recipient is
// cleansed, the meter box dispenses, and the signed indicia come back. With an
// Idempotency-Key header a retry returns the same labels; a retry with other
// parameters is 409.
func (h *Handler) APIBuyLabels(c fiber.Ctx) error {
	u := *Actor(c)
	if !u.Can(accounts.PermBuyPostage) {
		return apperr.Forbidden("This API key lacks the buy_postage scope.")
	}
	var req apiPurchaseRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if len(req.Pieces) == 0 {
		return apperr.Invalid("pieces", "Send at least one piece in \"pieces\".")
	}
	if len(req.Pieces) > MaxAPIBatch {
		return apperr.Invalid("pieces", fmt.Sprintf("A batch holds at most %d pieces; you sent %d.", MaxAPIBatch, len(req.Pieces)))
	}
	pr := metering.PurchaseRequest{IdempotencyKey: strings.TrimSpace(c.Get("Idempotency-Key"))}
	if req.MeterSerial != "" {
		m, err := h.d.Metering.MeterBySerial(c.Context(), u, req.MeterSerial)
		if err != nil {
			return err
		}
		pr.MeterID = m.ID
	}
	for i, p := range req.Pieces {
		field := func(f string) string {
			if len(req.Pieces) == 1 {
				return f
			}
			return fmt.Sprintf("pieces[%d].%s", i, f)
		}
		rec, res, err := h.recipient(field("recipient.address"), p.Recipient.Name, p.Recipient.Company, p.Recipient.Address)
		if err != nil {
			return err
		}
		dest := p.DestZIP
		if dest == "" {
			dest = res.ZIP + res.ZIP4
		} else if res.ZIP != "" && !strings.HasPrefix(dest, res.ZIP) {
			return apperr.Invalid(field("dest_zip"), fmt.Sprintf("The destination ZIP %s does not match the recipient's address (ZIP %s).", dest, res.ZIP))
		}
		var date time.Time
		if p.MailingDate != "" {
			d, err := time.Parse("2006-01-02", p.MailingDate)
			if err != nil {
				return apperr.Invalid(field("mailing_date"), "Write the date of mailing as YYYY-MM-DD.")
			}
			date = d
		}
		pr.Pieces = append(pr.Pieces, metering.PieceRequest{Postage: p.Postage, MailingDate: date, OriginZIP: p.OriginZIP, DestZIP: dest,
			MailClass: p.MailClass, Services: p.Services, Recipient: rec})
	}
	purchase, err := h.d.Metering.Purchase(c.Context(), u, pr)
	if err != nil {
		return err
	}
	status := fiber.StatusCreated
	if purchase.Replayed {
		status = fiber.StatusOK
	}
	return c.Status(status).JSON(toAPIPurchase(purchase))
}

// APILabel returns one label by ID.
func (h *Handler) APILabel(c fiber.Ctx) error {
	l, err := h.d.Metering.LabelByID(c.Context(), *Actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toAPILabel(l))
}
