package postage

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/metering"
	"indicia/metering/box"
	"indicia/payments"
)

// ChooseMeter is the meter a form pays with: the one meterID names, else the
// account's first active meter (the default meter). It also returns the
// account's active meters, for a page that offers the choice. A meterID that
// is not one of them (another account's, suspended, made up) is an invalid
// error on "meter_id", returned with the default meter so the page can still
// be shown.
func (s *Service) ChooseMeter(ctx context.Context, u accounts.User, meterID string) (metering.Meter, []metering.Meter, error) {
	if u.AccountID == 0 {
		// Not a mailer: DefaultMeter gives the message; Meters(0) would list every account's.
		m, err := s.d.Meters.DefaultMeter(ctx, u)
		return m, nil, err
	}
	all, err := s.d.Meters.Meters(ctx, u, u.AccountID)
	if err != nil {
		return metering.Meter{}, nil, err
	}
	// The same meters DefaultMeter would pick from, in the same order.
	active := slices.DeleteFunc(all, func(m metering.Meter) bool { return m.Record.Status != box.StatusActive || m.TamperHold != "" })
	if len(active) == 0 {
		m, err := s.d.Meters.DefaultMeter(ctx, u)
		return m, nil, err
	}
	v := strings.TrimSpace(meterID)
	if v == "" {
		return active[0], active, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	i := slices.IndexFunc(active, func(m metering.Meter) bool { return m.ID == id })
	if err != nil || i < 0 {
		return active[0], active, apperr.Invalid("meter_id", "That meter is not one of your account's active meters; choose one of the meters listed.")
	}
	return active[i], active, nil
}

// meterFor resolves the meter of an order. The account's default meter is
// looked up only when a piece needs its origin (rating, or an origin to
// check); otherwise the buyer resolves it, one query less on the hot path.
func (s *Service) meterFor(ctx context.Context, u accounts.User, o Order) (metering.Meter, error) {
	switch {
	case o.Meter.ID != 0:
		return o.Meter, nil
	case o.MeterSerial != "":
		return s.d.Meters.MeterBySerial(ctx, u, o.MeterSerial)
	case slices.ContainsFunc(o.Pieces, func(p Piece) bool { return p.Rated || p.Spec.OriginZIP != "" }):
		return s.d.Meters.DefaultMeter(ctx, u)
	}
	return metering.Meter{}, nil
}

// CardFee is what the card pays on top of the postage for pieces bought on
// a trickle-charged meter; 0 for a prepaid meter or without card funding.
func (s *Service) CardFee(ctx context.Context, meterID int64, pieces int) (int64, error) {
	if s.d.Funding == nil || meterID == 0 {
		return 0, nil
	}
	f, err := s.d.Funding.FundingOf(ctx, meterID)
	if err != nil {
		return 0, fmt.Errorf("postage: funding of meter %d: %w", meterID, err)
	}
	if f.Mode != payments.ModeTrickle {
		return 0, nil
	}
	return s.d.Funding.Fee(pieces), nil
}
