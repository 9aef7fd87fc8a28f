package handlers

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/metering"
	"indicia/metering/indicium"
	"indicia/metering/rating"
	"indicia/views"
	"indicia/web/request"
)

// MaxAPIBatch is the most pieces one API purchase may carry.
const MaxAPIBatch = 1000

type apiRecipient struct {
	Name    string `json:"name"`
	Company string `json:"company"`
	Address string `json:"address"`
}

// apiPiece is one piece to buy. With weight_oz the piece is rated and the
// rated price is the postage; without it, postage is a metered amount the
// client chose.
type apiPiece struct {
	Postage       int64        `json:"postage"`
	MailingDate   string       `json:"mailing_date"`
	OriginZIP     string       `json:"origin_zip"`
	DestZIP       string       `json:"dest_zip"`
	MailClass     string       `json:"mail_class"`
	WeightOz      float64      `json:"weight_oz"`
	Length        float64      `json:"length"`
	Width         float64      `json:"width"`
	Height        float64      `json:"height"`
	Services      []string     `json:"services"`
	DeclaredValue int64        `json:"declared_value"`
	Recipient     apiRecipient `json:"recipient"`
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
	ClassName   string   `json:"mail_class_name,omitempty"`
	Services    []string `json:"services"`
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
		OriginZIP: l.OriginZIP, DestZIP: l.DestZIP, MailClass: l.MailClass, ClassName: rating.ClassName(l.MailClass), Services: serviceCodes(l.Services), Recipient: l.Recipient.Lines, Indicium: text, Status: l.Status}
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
	u := *request.Actor(c)
	if !u.Can(accounts.PermBuyPostage) {
		return apperr.Forbidden("This API key lacks the buy_postage scope.")
	}
	// The pieces are decoded one by one so that a wrong type or an unknown
	// field names its piece (pieces[3].postage), like every later check.
	var raw struct {
		MeterSerial string            `json:"meter_serial"`
		Pieces      []json.RawMessage `json:"pieces"`
	}
	if err := decodeJSON(c, &raw); err != nil {
		return err
	}
	if len(raw.Pieces) == 0 {
		return apperr.Invalid("pieces", "Send at least one piece in \"pieces\".")
	}
	if len(raw.Pieces) > MaxAPIBatch {
		return apperr.Invalid("pieces", fmt.Sprintf("A batch holds at most %d pieces; you sent %d.", MaxAPIBatch, len(raw.Pieces)))
	}
	req := apiPurchaseRequest{MeterSerial: raw.MeterSerial, Pieces: make([]apiPiece, len(raw.Pieces))}
	for i, p := range raw.Pieces {
		prefix := ""
		if len(raw.Pieces) > 1 {
			prefix = fmt.Sprintf("pieces[%d]", i)
		}
		if err := decodeStrict(p, &req.Pieces[i], prefix); err != nil {
			return err
		}
	}
	pr := metering.PurchaseRequest{IdempotencyKey: strings.TrimSpace(c.Get("Idempotency-Key"))}
	// The meter is looked up here only when a serial names it or a piece is
	// rated (the rate needs its origin); otherwise the purchase resolves the
	// account's default meter itself, one query less on the hot path.
	var m metering.Meter
	var err error
	if req.MeterSerial != "" {
		m, err = h.d.Metering.MeterBySerial(c.Context(), u, req.MeterSerial)
	} else if slices.ContainsFunc(req.Pieces, func(p apiPiece) bool { return p.WeightOz != 0 || p.OriginZIP != "" }) {
		m, err = h.d.Metering.DefaultMeter(c.Context(), u)
	}
	if err != nil {
		return err
	}
	pr.MeterID = m.ID
	for i, p := range req.Pieces {
		field := func(f string) string {
			if len(req.Pieces) == 1 {
				return f
			}
			return fmt.Sprintf("pieces[%d].%s", i, f)
		}
		if err := checkAPIPieceClass(p.MailClass, field("mail_class")); err != nil {
			return err
		}
		if o := p.OriginZIP; m.ID != 0 && !m.Floating() && isDigits(o, 5) && o != m.Record.OriginZIP {
			return apperr.Invalid(field("origin_zip"), fmt.Sprintf("Meter %s mails from ZIP %s; leave origin_zip out or send %s (only a floating meter takes another origin).",
				m.Record.Serial, m.Record.OriginZIP, m.Record.OriginZIP))
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
		date, err := parseDate(p.MailingDate, field("mailing_date"))
		if err != nil {
			return err
		}
		for _, s := range p.Services {
			if !slices.Contains(serviceBits, s) {
				return apperr.Invalid(field("services"), fmt.Sprintf("Unknown extra service %q.", s))
			}
		}
		postage := p.Postage
		if p.WeightOz != 0 {
			if postage, err = h.rateAPIPiece(p, m, dest, date, field("")); err != nil {
				return err
			}
		}
		pr.Pieces = append(pr.Pieces, metering.PieceRequest{Postage: postage, MailingDate: date, OriginZIP: p.OriginZIP, DestZIP: dest,
			MailClass: p.MailClass, Services: servicesMask(p.Services), Recipient: rec})
	}
	purchase, err := h.buy(c.Context(), u, pr)
	if err != nil {
		return err
	}
	status := fiber.StatusCreated
	if purchase.Replayed {
		status = fiber.StatusOK
	}
	return c.Status(status).JSON(toAPIPurchase(purchase))
}

// checkAPIPieceClass refuses a mail class the indicium must not carry: an
// unknown code (metered postage is not rated, so nothing else would catch
// it), or an international class, since a purchase takes only a cleansed US
// recipient and a US destination ZIP. An empty class is left to the
// purchase, which asks for one.
func checkAPIPieceClass(class, field string) error {
	if class == "" {
		return nil
	}
	if rating.ClassName(class) == "" {
		return apperr.Invalid(field, fmt.Sprintf("Unknown mail class %q; use one of %s.", class, strings.Join(rating.Classes(), ", ")))
	}
	if class == rating.ClassIntlLetter || class == rating.ClassIntlLargeEnvelope {
		return apperr.Invalid(field, fmt.Sprintf("%s cannot be bought through the API yet: a label goes to a US address. Price it with POST /rates and a country.", rating.ClassName(class)))
	}
	return nil
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// rateAPIPiece prices a piece the client described by weight; a postage the
// client also sent must be that price.
func (h *Handler) rateAPIPiece(p apiPiece, m metering.Meter, dest string, date time.Time, prefix string) (int64, error) {
	origin := p.OriginZIP
	if origin == "" && !m.Floating() {
		origin = m.Record.OriginZIP
	}
	rp := apiRatePiece{MailClass: p.MailClass, WeightOz: p.WeightOz, Length: p.Length, Width: p.Width, Height: p.Height,
		OriginZIP: origin, DestZIP: dest[:min(5, len(dest))], Services: p.Services, DeclaredValue: p.DeclaredValue}
	piece, err := rp.piece("", prefix)
	if err != nil {
		return 0, err
	}
	piece.Date = date
	q, err := h.d.Rater.Rate(piece)
	if err != nil {
		return 0, apiRatingError(err, prefix)
	}
	if p.Postage != 0 && p.Postage != q.TotalCents {
		return 0, apperr.Invalid(prefix+"postage", fmt.Sprintf("The postage %s differs from the rated price %s; leave postage out to pay the rated price.",
			views.Money(p.Postage), views.Money(q.TotalCents)))
	}
	return q.TotalCents, nil
}

// APILabel returns one label by ID.
func (h *Handler) APILabel(c fiber.Ctx) error {
	l, err := h.d.Metering.LabelByID(c.Context(), *request.Actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toAPILabel(l))
}
