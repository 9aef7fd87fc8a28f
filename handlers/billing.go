package handlers

import (
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v3"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/metering/box"
	"indicia/payments"
	"indicia/views"
	"indicia/web/request"
)

func (h *Handler) renderBilling(c fiber.Ctx, status int, f views.Form, meterForm map[int64]views.Form) error {
	u := *request.Actor(c)
	ctx := c.Context()
	card, err := h.d.Payments.CardOf(ctx, u)
	if err != nil {
		return err
	}
	vm := views.BillingVM{ManageFunds: u.Can(accounts.PermManageFunds), HasCard: card.HasCard(), Brand: card.Brand, Last4: card.Last4,
		TestMode: h.d.Payments.TestMode(), PublishableKey: h.d.Payments.PublishableKey(), MinTopUp: views.Money(h.d.Payments.MinTopUp())}
	if card.HasCard() {
		vm.Expiry = fmt.Sprintf("%02d/%d", card.ExpMonth, card.ExpYear)
	}
	for _, tc := range payments.TestCards {
		vm.TestCards = append(vm.TestCards, views.Option{Value: tc.Token, Label: tc.Label, Selected: f.V("payment_method") == tc.Token})
	}
	ms, err := h.d.Metering.Meters(ctx, u, u.AccountID)
	if err != nil {
		return err
	}
	for _, m := range ms {
		fu, err := h.d.Payments.FundingOf(ctx, m.ID)
		if err != nil {
			return err
		}
		mf, ok := meterForm[m.ID]
		if !ok {
			mf = emptyForm()
		}
		fv := views.FundingVM{ID: strconv.FormatInt(m.ID, 10), Serial: m.Record.Serial, Balance: views.Money(m.Record.DR),
			Trickle: fu.Mode == payments.ModeTrickle, RefillAmount: plainDollars(fu.RefillAmount), RefillThreshold: plainDollars(fu.RefillThreshold),
			RefillCap: plainDollars(fu.RefillDailyCap), Form: mf, Retired: m.Record.Status == box.StatusRetired}
		if _, funding := mf.Values["mode"]; ok && funding { // the funding form was posted, not the top-up
			fv.RefillAmount, fv.RefillThreshold, fv.RefillCap = mf.V("refill_amount"), mf.V("refill_threshold"), mf.V("refill_daily_cap")
			fv.Trickle = mf.V("mode") == payments.ModeTrickle
		}
		vm.Meters = append(vm.Meters, fv)
	}
	charges, err := h.d.Payments.Charges(ctx, u, 50)
	if err != nil {
		return err
	}
	serials := map[int64]string{}
	for _, m := range ms {
		serials[m.ID] = m.Record.Serial
	}
	for _, ch := range charges {
		vm.Charges = append(vm.Charges, chargeRow(ch, serials[ch.MeterID]))
	}
	return render(c, status, views.Billing(h.Page(c, "Billing", "billing"), vm, f))
}

func chargeRow(ch payments.Charge, serial string) views.ChargeRow {
	r := views.ChargeRow{ID: ch.PublicID, When: ch.CreatedAt.UTC().Format("2006-01-02 15:04"), Meter: serial, Amount: views.Money(ch.Amount),
		Card: ch.CardBrand + " " + ch.CardLast4, Receipt: ch.Paid()}
	r.Kind = map[string]string{payments.KindTrickle: "Postage (trickle)", payments.KindTopUp: "Top-up", payments.KindRefill: "Auto-refill"}[ch.Kind]
	switch ch.Status {
	case payments.StatusDone:
		r.Status = "paid"
	case payments.StatusDeclined:
		r.Status, r.Detail = "declined", ch.DeclineMessage+" ("+ch.DeclineCode+")"
	case payments.StatusRefunded:
		r.Status = "refunded"
	case payments.StatusCharged, payments.StatusCredited:
		r.Status = "in progress"
		if ch.Kind == payments.KindTrickle {
			r.Status, r.Detail = "charged, label pending", "The label is being finished; it appears in your labels when it is."
		}
	default:
		r.Status = "in progress"
	}
	if ch.Refunded > 0 && ch.Status != payments.StatusRefunded {
		r.Detail = views.Money(ch.Refunded) + " refunded"
	}
	return r
}

func plainDollars(c int64) string {
	if c == 0 {
		return "0"
	}
	return fmt.Sprintf("%d.%02d", c/100, c%100)
}

// Billing shows the card on file, each meter's funding and the charges.
func (h *Handler) Billing(c fiber.Ctx) error {
	return h.renderBilling(c, fiber.StatusOK, emptyForm(), nil)
}

// SaveCard saves a card: in test mode one of Stripe's test payment methods.
func (h *Handler) SaveCard(c fiber.Ctx) error {
	f := form(c, "payment_method")
	card, err := h.d.Payments.SaveCard(c.Context(), *request.Actor(c), f.V("payment_method"))
	if err != nil {
		if formError(&f, err) {
			return h.renderBilling(c, fiber.StatusUnprocessableEntity, f, nil)
		}
		return err
	}
	return h.redirectWith(c, "/billing", fmt.Sprintf("Card saved: %s ending %s.", card.Brand, card.Last4))
}

// RemoveCard removes the card on file.
func (h *Handler) RemoveCard(c fiber.Ctx) error {
	if err := h.d.Payments.RemoveCard(c.Context(), *request.Actor(c)); err != nil {
		return err
	}
	return h.redirectWith(c, "/billing", "Card removed. Trickle-charged meters cannot buy until you add another.")
}

// ShowCardSetup shows Stripe's Payment Element for a new card (with a publishable key).
func (h *Handler) ShowCardSetup(c fiber.Ctx) error {
	if h.d.Payments.PublishableKey() == "" {
		return c.Redirect().Status(fiber.StatusSeeOther).To("/billing")
	}
	secret, err := h.d.Payments.StartCardSetup(c.Context(), *request.Actor(c))
	if err != nil {
		return err
	}
	return render(c, fiber.StatusOK, views.CardSetup(h.Page(c, "Add a card", "billing"), h.d.Payments.PublishableKey(), secret))
}

// CardSetupDone is Stripe's return URL after the Payment Element confirmed the SetupIntent.
func (h *Handler) CardSetupDone(c fiber.Ctx) error {
	card, err := h.d.Payments.FinishCardSetup(c.Context(), *request.Actor(c), c.Query("setup_intent"))
	if err != nil {
		if ae, ok := apperr.As(err); ok && ae.Kind == apperr.KindInvalid {
			return h.redirectWith(c, "/billing", ae.Message)
		}
		return err
	}
	return h.redirectWith(c, "/billing", fmt.Sprintf("Card saved: %s ending %s.", card.Brand, card.Last4))
}

// stripeJS mounts the Payment Element and confirms the SetupIntent.
const stripeJS = `(function () {
  var form = document.getElementById("card-setup");
  if (!form || !window.Stripe) return;
  var stripe = Stripe(form.dataset.key);
  var elements = stripe.elements({ clientSecret: form.dataset.secret });
  elements.create("payment").mount("#payment-element");
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    stripe.confirmSetup({ elements: elements, confirmParams: { return_url: location.origin + form.dataset.return } })
      .then(function (r) { if (r.error) document.getElementById("card-error").textContent = r.error.message; });
  });
})();
`

// StripeJS serves the Payment Element script (the CSP allows only same-origin scripts and js.stripe.com).
func (h *Handler) StripeJS(c fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "text/javascript; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "max-age=3600")
	return c.SendString(stripeJS)
}
