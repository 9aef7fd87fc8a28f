package handlers

import (
	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/metering/rating"
	"indicia/postage"
	"indicia/web/request"
)

// apiRatePiece is one piece as the API describes it (weights in ounces,
// sizes in inches, money in cents).
type apiRatePiece struct {
	MailClass     string   `json:"mail_class"`
	WeightOz      float64  `json:"weight_oz"`
	Length        float64  `json:"length"`
	Width         float64  `json:"width"`
	Height        float64  `json:"height"`
	OriginZIP     string   `json:"origin_zip"`
	DestZIP       string   `json:"dest_zip"`
	Country       string   `json:"country"`
	Services      []string `json:"services"`
	DeclaredValue int64    `json:"declared_value"`
	MailingDate   string   `json:"mailing_date"`
}

type apiLine struct {
	Code        string `json:"code"`
	Description string `json:"description"`
	Cents       int64  `json:"cents"`
}

type apiQuote struct {
	MailClass        string    `json:"mail_class"`
	MailClassName    string    `json:"mail_class_name"`
	OK               bool      `json:"ok"`
	Reason           string    `json:"reason,omitempty"`
	Zone             int       `json:"zone,omitempty"`
	PriceGroup       int       `json:"price_group,omitempty"`
	BillableWeightOz float64   `json:"billable_weight_oz,omitempty"`
	Lines            []apiLine `json:"lines"`
	Total            int64     `json:"total"`
	TableVersion     string    `json:"table_version,omitempty"`
}

func toAPIQuote(q rating.Quote) apiQuote {
	out := apiQuote{MailClass: q.Class, MailClassName: q.ClassName, OK: q.OK, Reason: q.Reason, Zone: q.Zone, PriceGroup: q.PriceGroup,
		BillableWeightOz: q.BillableWeightOz, Lines: make([]apiLine, 0, len(q.Lines)), Total: q.TotalCents, TableVersion: q.TableVersion}
	for _, l := range q.Lines {
		out.Lines = append(out.Lines, apiLine{Code: l.Code, Description: l.Description, Cents: l.Cents})
	}
	return out
}

// piece turns the API form of a piece into the rater's; defaultOrigin fills a
// missing origin ZIP.
func (p apiRatePiece) piece(defaultOrigin, prefix string) (rating.Piece, error) {
	date, err := parseDate(p.MailingDate, prefix+"mailing_date")
	if err != nil {
		return rating.Piece{}, err
	}
	if err := knownServices(p.Services, prefix+"services"); err != nil {
		return rating.Piece{}, err
	}
	if p.DeclaredValue < 0 {
		return rating.Piece{}, apperr.Invalid(prefix+"declared_value", "The declared value cannot be negative.")
	}
	origin := p.OriginZIP
	if origin == "" {
		origin = defaultOrigin
	}
	return rating.Piece{Class: p.MailClass, WeightOz: p.WeightOz, LengthIn: p.Length, WidthIn: p.Width, HeightIn: p.Height,
		OriginZIP: origin, DestZIP: p.DestZIP, Country: p.Country, Services: p.Services, DeclaredValueCents: p.DeclaredValue, Date: date}, nil
}

// APIRates prices a piece without buying: in one class when mail_class is
// given, otherwise in every class that could carry it.
func (h *Handler) APIRates(c fiber.Ctx) error {
	u := *request.Actor(c)
	var in apiRatePiece
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	origin := ""
	if a, err := h.d.Accounts.Account(c.Context(), u, u.AccountID); err == nil {
		origin = a.OriginZIP
	}
	p, err := in.piece(origin, "")
	if err != nil {
		return err
	}
	var qs []rating.Quote
	if p.Class != "" {
		q, err := h.d.Rater.Rate(p)
		if err != nil {
			return postage.RatingError(err, "")
		}
		qs = []rating.Quote{q}
	} else if qs, err = comparePiece(h.d.Rater, p, ""); err != nil {
		return postage.RatingError(err, "")
	}
	out := make([]apiQuote, 0, len(qs))
	for _, q := range qs {
		out = append(out, toAPIQuote(q))
	}
	return c.JSON(fiber.Map{"quotes": out})
}
