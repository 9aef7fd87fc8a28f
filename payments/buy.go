package payments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/metering"
	"indicia/metering/box"
)

// Buy dispenses a purchase on the meter's funding (postage.Service, the one
// way pages and the API buy, calls it once it has priced the pieces). A prepaid meter
// buys from its balance (and may auto-refill after); a trickle meter charges
// the card off-session for exactly the postage plus fees, then dispenses.
// A retry with the same idempotency key returns the same labels and never
// charges twice.
func (s *Service) Buy(ctx context.Context, actor accounts.User, req metering.PurchaseRequest) (metering.Purchase, error) {
	if !actor.Can(accounts.PermBuyPostage) {
		return metering.Purchase{}, apperr.Forbidden("You do not have the \"Buy postage\" permission.")
	}
	key := fundingKey{actor.AccountID, req.MeterID}
	f, cached, err := s.purchaseFunding(ctx, actor, key)
	if err != nil {
		return metering.Purchase{}, err
	}
	named := req.MeterID
	req.MeterID = f.MeterID
	if f.Mode != ModeTrickle {
		p, err := s.met.Purchase(ctx, actor, req)
		if cached && meterRefusal(err) {
			// The cached meter changed state since it was looked up: ask
			// PostgreSQL again, and buy again only if that changes the answer
			// (another meter, or trickle); otherwise the refusal stands.
			s.funding.drop(key)
			if fresh, ferr := s.fundingForPurchase(ctx, actor, named); ferr != nil {
				return metering.Purchase{}, ferr
			} else if fresh != f {
				return s.Buy(ctx, actor, withMeter(req, named))
			}
		}
		// The common case, a meter well above its thresholds, costs nothing more.
		if err == nil && !p.Replayed && p.MeterDR < max(f.RefillThreshold, s.opt.MinTopUp) {
			go s.afterPrepaid(context.WithoutCancel(ctx), req.MeterID)
		}
		return p, err
	}
	_, p, err := s.BuyTrickle(ctx, actor, req)
	return p, err
}

// purchaseFunding is fundingForPurchase through the cache; cached says the
// answer came from the cache.
func (s *Service) purchaseFunding(ctx context.Context, actor accounts.User, k fundingKey) (f Funding, cached bool, err error) {
	now := s.now()
	f, ok, gen := s.funding.get(k, now)
	if ok {
		return f, true, nil
	}
	f, err = s.fundingForPurchase(ctx, actor, k.meter)
	if err == nil {
		s.funding.put(k, f, gen, now)
	}
	return f, false, err
}

// meterRefusal reports a purchase refused because of the meter's state
// (not active, tamper-held), which a cached lookup may not have known.
func meterRefusal(err error) bool {
	e, ok := apperr.As(err)
	return ok && e.Kind == apperr.KindConflict && e.Field == "meter"
}

func withMeter(req metering.PurchaseRequest, meterID int64) metering.PurchaseRequest {
	req.MeterID = meterID
	return req
}

// fundingForPurchase finds the meter (the account's default one when meterID
// is 0) and its funding mode in one query: it runs on every purchase.
func (s *Service) fundingForPurchase(ctx context.Context, actor accounts.User, meterID int64) (Funding, error) {
	f := Funding{Mode: ModePrepaid}
	id, found, err := metering.PurchaseMeterID(ctx, s.pool, actor.AccountID, meterID)
	if err != nil {
		return f, fmt.Errorf("payments: meter and funding: %w", err)
	}
	if !found {
		if meterID != 0 {
			return f, apperr.NotFound("No such meter.")
		}
		return f, apperr.Conflict("meter", "Your account has no active meter. Ask your vendor to activate one.")
	}
	f.MeterID = id
	// No funding row: prepaid without auto-refill.
	err = s.pool.QueryRow(ctx, `SELECT mode, refill_amount, refill_threshold, refill_daily_cap FROM meter_funding WHERE meter_id = $1`, id).
		Scan(&f.Mode, &f.RefillAmount, &f.RefillThreshold, &f.RefillDailyCap)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return f, fmt.Errorf("payments: meter and funding: %w", err)
	}
	return f, nil
}

// afterPrepaid runs auto-refill (or the low-balance email) after a prepaid purchase.
func (s *Service) afterPrepaid(ctx context.Context, meterID int64) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	// The common case, a meter well above its threshold, costs two small
	// reads; MaybeRefill decides again under the funding row's lock.
	var threshold int64
	err := s.pool.QueryRow(ctx, `SELECT coalesce((SELECT refill_threshold FROM meter_funding WHERE meter_id = $1 AND refill_amount > 0), 0)`,
		meterID).Scan(&threshold)
	if err == nil {
		m, err := metering.MeterStateOf(ctx, s.pool, meterID)
		if err == nil && m.DR >= max(threshold, s.opt.MinTopUp) {
			return
		}
	}
	if _, err := s.MaybeRefill(ctx, meterID); err != nil {
		slog.WarnContext(ctx, "payments: auto-refill after purchase", "meter", meterID, "err", err)
	}
}

// MinCardCharge is Stripe's smallest US card charge, in cents.
const MinCardCharge = 50

// BuyTrickle charges the card for the purchase and dispenses it; it returns
// the charge (for the receipt) and the labels.
func (s *Service) BuyTrickle(ctx context.Context, actor accounts.User, req metering.PurchaseRequest) (Charge, metering.Purchase, error) {
	var none metering.Purchase
	m, err := s.met.Meter(ctx, actor, req.MeterID)
	if err != nil {
		return Charge{}, none, err
	}
	if m.Record.AccountID != actor.AccountID {
		return Charge{}, none, apperr.NotFound("No such meter.")
	}
	if m.TamperHold != "" || m.Record.Status != box.StatusActive {
		return Charge{}, none, apperr.Conflict("meter", fmt.Sprintf("Meter %s is not active, so nothing can be charged or dispensed on it.", m.Record.Serial))
	}
	if err := s.met.Validate(&req); err != nil {
		return Charge{}, none, err
	}
	card, err := s.cardOf(ctx, actor.AccountID)
	if err != nil {
		return Charge{}, none, err
	}
	if !card.HasCard() {
		return Charge{}, none, apperr.Payment("no_card", "This meter is trickle-charged: add a card on the billing page first. Nothing was dispensed.")
	}
	var postage int64
	for _, p := range req.Pieces {
		postage += p.Postage
	}
	fee := s.Fee(len(req.Pieces))
	if postage+fee < MinCardCharge {
		// Stripe refuses smaller charges; saying so before charging keeps it
		// from reading as a card decline.
		e := apperr.Invalid("postage", fmt.Sprintf("Card charges start at %s, and this purchase comes to %s. Buy more pieces in one purchase, or switch this meter to prepaid funding on the billing page. Nothing was charged.",
			money(MinCardCharge), money(postage+fee)))
		e.Code = "below_card_minimum"
		return Charge{}, none, e
	}
	clientKey := req.IdempotencyKey
	stored, _ := json.Marshal(metering.PurchaseRequest{MeterID: req.MeterID, Pieces: req.Pieces})
	c, existing, err := s.stage(ctx, Charge{AccountID: actor.AccountID, MeterID: req.MeterID, UserID: actor.ID, Kind: KindTrickle,
		Postage: postage, Fee: fee, Amount: postage + fee, CustomerID: card.CustomerID, PaymentMethodID: card.PaymentMethodID,
		CardBrand: card.Brand, CardLast4: card.Last4, Request: stored}, clientKey)
	if err != nil {
		return Charge{}, none, err
	}
	if existing {
		switch c.Status {
		case StatusDone:
			p, err := s.met.PurchaseByID(ctx, actor, c.PurchasePublicID)
			p.Replayed = true
			return c, p, err
		case StatusDeclined:
			return c, none, declineError(c)
		}
	}
	c, err = s.run(ctx, actor, c)
	if err != nil {
		return c, none, truthful(c, err)
	}
	p, err := s.met.PurchaseByID(ctx, actor, c.PurchasePublicID)
	if err != nil {
		return c, none, fmt.Errorf("payments: load purchase of charge %s: %w", c.PublicID, err)
	}
	p.Replayed = existing
	return c, p, nil
}

// run claims a charge and drives it to the end for the person waiting on it.
func (s *Service) run(ctx context.Context, actor accounts.User, c Charge) (Charge, error) {
	claimed, ok, err := s.claim(ctx, c.ID)
	if err != nil {
		return c, err
	}
	if !ok {
		return c, apperr.Conflict("idempotency_key", "This payment is still being processed; retry in a moment to get its result.")
	}
	defer s.release(claimed.ID)
	// Committed phases make an abandoned request safe, but finishing is kinder.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 60*time.Second)
	defer cancel()
	return s.drive(ctx, actor, claimed, false)
}
