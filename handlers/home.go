package handlers

import (
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v3"

	"indicia/metering/rating"
	"indicia/views"
	"indicia/web/request"
)

// homeSamples are the pieces the landing page prices before sign-up: what a
// visitor asks first is what a letter and a parcel cost.
var homeSamples = []struct {
	what  string
	piece rating.Piece
}{
	{"Letter, 1 oz", rating.Piece{Class: rating.ClassFirstClassLetter, WeightOz: 1}},
	{"Large envelope, 3 oz", rating.Piece{Class: rating.ClassFirstClassFlat, WeightOz: 3}},
	{"Parcel, 1 lb, Ground Advantage", rating.Piece{Class: rating.ClassGroundAdvantage, WeightOz: 16, LengthIn: 10, WidthIn: 8, HeightIn: 4}},
	{"Parcel, 1 lb, Priority Mail", rating.Piece{Class: rating.ClassPriority, WeightOz: 16, LengthIn: 10, WidthIn: 8, HeightIn: 4}},
}

// Home is the landing page; logged-in users go to their dashboard.
func (h *Handler) Home(c fiber.Ctx) error {
	if request.Actor(c) != nil {
		return c.Redirect().Status(fiber.StatusSeeOther).To("/dashboard")
	}
	vm := views.HomeVM{From: "06901", To: "90210"}
	if h.d.Rater != nil {
		for _, s := range homeSamples {
			p := s.piece
			p.OriginZIP, p.DestZIP, p.Date = vm.From, vm.To, time.Now().UTC()
			q, err := h.d.Rater.Rate(p)
			if err != nil || !q.OK {
				// The page still works without a price; the log says why.
				slog.WarnContext(c.Context(), "home: sample price", "piece", s.what, "err", err, "reason", q.Reason)
				continue
			}
			vm.Prices = append(vm.Prices, views.HomePrice{What: s.what, Price: views.Money(q.TotalCents)})
		}
	}
	if h.d.Payments != nil {
		vm.CardFee = views.Money(h.d.Payments.Fee(1))
	}
	return render(c, fiber.StatusOK, views.Home(h.Page(c, "Virtual postage meter", ""), vm))
}
