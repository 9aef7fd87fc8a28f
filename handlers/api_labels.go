package handlers

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/metering"
	"indicia/metering/indicium"
	"indicia/metering/rating"
	"indicia/postage"
	"indicia/web/request"
)

// MaxAPIBatch is the most pieces one API purchase may carry.
const MaxAPIBatch = 1000

type apiRecipient struct {
	Name    string `json:"name"`
	Company string `json:"company"`
	Address string `json:"address"`
	Country string `json:"country"` // ISO 3166-1 alpha-2; "" or "US" is a US address
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
	WeightOz      *float64     `json:"weight_oz"` // nil: metered postage; present, it must be a weight
	Length        float64      `json:"length"`
	Width         float64      `json:"width"`
	Height        float64      `json:"height"`
	Services      []string     `json:"services"`
	DeclaredValue int64        `json:"declared_value"`
	Recipient     apiRecipient `json:"recipient"`
	CostCode      string       `json:"cost_code"` // the cost code's code, or its name
	Reference     string       `json:"reference"`
	// ShipFromID names the account's ship-from address; 0 takes its default.
	ShipFromID int64 `json:"ship_from_id"`
}

type apiLabel struct {
	ID          string   `json:"id"`
	MeterSerial string   `json:"meter_serial"`
	PieceNumber int64    `json:"piece_number"`
	Postage     int64    `json:"postage"`
	MailingDate string   `json:"mailing_date"`
	OriginZIP   string   `json:"origin_zip"`
	DestZIP     string   `json:"dest_zip"`
	DestCountry string   `json:"dest_country"`
	MailClass   string   `json:"mail_class"`
	ClassName   string   `json:"mail_class_name,omitempty"`
	Services    []string `json:"services"`
	Recipient   []string `json:"recipient"`
	Indicium    string   `json:"indicium"`
	Status      string   `json:"status"`
	CostCodeID  *int64   `json:"cost_code_id"`
	Reference   string   `json:"reference,omitempty"`
	// TrackingNumber is empty for a piece the post does not track.
	TrackingNumber string `json:"tracking_number"`
	// ShipFrom is the return address printed; empty prints the account's address.
	ShipFrom []string `json:"ship_from"`
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
	out := apiLabel{ID: l.PublicID, MeterSerial: l.Serial, PieceNumber: l.PieceNumber, Postage: l.Postage, MailingDate: l.MailingDate.Format("2006-01-02"),
		OriginZIP: l.OriginZIP, DestZIP: l.DestZIP, DestCountry: labelCountry(l.DestCountry), MailClass: l.MailClass, ClassName: rating.ClassName(l.MailClass), Services: postage.ServiceCodes(l.Services), Recipient: l.Recipient.Lines, Indicium: text, Status: l.Status,
		Reference: l.Reference, TrackingNumber: l.TrackingNumber, ShipFrom: l.ShipFrom}
	if out.ShipFrom == nil {
		out.ShipFrom = []string{}
	}
	if l.CostCodeID != 0 {
		id := l.CostCodeID
		out.CostCodeID = &id
	}
	return out
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
// parameters is 409. A trickle purchase whose card was charged but whose
// labels could not be dispensed yet answers 202 charged_pending with the
// charge's status URL; the retry with the same key finishes it without a
// second charge. A recipient who moved is refused (409 recipient_moved,
// with the new address) unless the request says "accept_moved": true.
func (h *Handler) APIBuyLabels(c fiber.Ctx) error {
	u := *request.Actor(c)
	if !u.Can(accounts.PermBuyPostage) {
		return apperr.Forbidden("This API key lacks the buy_postage scope.")
	}
	o, err := decodeAPIOrder(c)
	if err != nil {
		return err
	}
	if err := accounts.RequireVerifiedEmail(u); err != nil {
		return err
	}
	purchase, err := h.d.Postage.Buy(c.Context(), u, o)
	if handled, herr := chargedPendingJSON(c, err); handled {
		return herr
	}
	if err != nil {
		return err
	}
	status := fiber.StatusCreated
	if purchase.Replayed {
		status = fiber.StatusOK
	}
	return c.Status(status).JSON(toAPIPurchase(purchase))
}

// decodeAPIOrder reads a labels request body as an order.
func decodeAPIOrder(c fiber.Ctx) (postage.Order, error) {
	if err := checkJSONBody(c); err != nil {
		return postage.Order{}, err
	}
	return orderFromJSON(c.Body(), strings.TrimSpace(c.Get("Idempotency-Key")))
}

// orderFromJSON reads a labels request body. The pieces are decoded one by
// one so that a wrong type or an unknown field names its piece
// (pieces[3].postage), like every later check.
func orderFromJSON(body []byte, key string) (postage.Order, error) {
	var raw struct {
		MeterSerial string            `json:"meter_serial"`
		AcceptMoved bool              `json:"accept_moved"`
		Pieces      []json.RawMessage `json:"pieces"`
	}
	if err := decodeStrict(body, &raw, ""); err != nil {
		return postage.Order{}, err
	}
	if len(raw.Pieces) == 0 {
		return postage.Order{}, apperr.Invalid("pieces", "Send at least one piece in \"pieces\".")
	}
	if len(raw.Pieces) > MaxAPIBatch {
		return postage.Order{}, apperr.Invalid("pieces", fmt.Sprintf("A batch holds at most %d pieces; you sent %d.", MaxAPIBatch, len(raw.Pieces)))
	}
	o := postage.Order{MeterSerial: raw.MeterSerial, IdempotencyKey: key, Pieces: make([]postage.Piece, len(raw.Pieces))}
	for i, r := range raw.Pieces {
		prefix := apperr.PiecePrefix(i, len(raw.Pieces))
		var p apiPiece
		if err := decodeStrict(r, &p, strings.TrimSuffix(prefix, ".")); err != nil {
			return postage.Order{}, err
		}
		piece, err := p.order(prefix)
		if err != nil {
			return postage.Order{}, err
		}
		piece.AcceptMoved = raw.AcceptMoved
		o.Pieces[i] = piece
	}
	return o, nil
}

// order reads one API piece for the purchase. With weight_oz the piece is
// rated; without it, postage is a metered amount.
func (p apiPiece) order(prefix string) (postage.Piece, error) {
	if err := checkAPIPieceClass(p.MailClass, prefix+"mail_class", p.Recipient.Country); err != nil {
		return postage.Piece{}, err
	}
	date, err := parseDate(p.MailingDate, prefix+"mailing_date")
	if err != nil {
		return postage.Piece{}, err
	}
	rated := p.WeightOz != nil
	var weight float64
	if rated {
		if weight = *p.WeightOz; !(weight > 0) {
			return postage.Piece{}, apperr.Invalid(prefix+"weight_oz", "The weight must be more than 0 oz; leave weight_oz out to buy a metered amount of postage.")
		}
	}
	if rated && p.DeclaredValue < 0 {
		return postage.Piece{}, apperr.Invalid(prefix+"declared_value", "The declared value cannot be negative.")
	}
	return postage.Piece{Recipient: postage.Recipient{Name: p.Recipient.Name, Company: p.Recipient.Company, Address: p.Recipient.Address, Country: p.Recipient.Country},
		Rated: rated, Postage: p.Postage, DestZIP: p.DestZIP, CostCode: p.CostCode, Reference: p.Reference, ShipFromID: p.ShipFromID,
		Spec: rating.Piece{Class: p.MailClass, WeightOz: weight, LengthIn: p.Length, WidthIn: p.Width, HeightIn: p.Height,
			OriginZIP: p.OriginZIP, Services: p.Services, DeclaredValueCents: p.DeclaredValue, Date: date}}, nil
}

// checkAPIPieceClass refuses a mail class the indicium must not carry: an
// unknown code (metered postage is not rated, so nothing else would catch
// it), or an international class to a US recipient. A domestic class to
// another country is refused by the purchase (international_class_unavailable).
// An empty class is left to the purchase, which asks for one.
func checkAPIPieceClass(class, field, country string) error {
	if class == "" {
		return nil
	}
	if rating.ClassName(class) == "" {
		return apperr.Invalid(field, fmt.Sprintf("Unknown mail class %q; use one of %s.", class, strings.Join(rating.Classes(), ", ")))
	}
	if (class == rating.ClassIntlLetter || class == rating.ClassIntlLargeEnvelope) && !postage.Abroad(country) {
		return apperr.Invalid(field, fmt.Sprintf("%s goes to another country: set recipient.country to its two-letter code (such as CA).", rating.ClassName(class)))
	}
	return nil
}

// APILabel returns one label by ID.
func (h *Handler) APILabel(c fiber.Ctx) error {
	l, err := h.d.Metering.LabelByID(c.Context(), *request.Actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toAPILabel(l))
}

// labelCountry is the country a label answers with: a label stored before
// countries were kept went to the US.
func labelCountry(c string) string {
	if c == "" {
		return "US"
	}
	return c
}
