package postage_test

import (
	"context"
	"strings"
	"sync"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/hygiene/address"
	"indicia/hygiene/coa"
	"indicia/metering"
	"indicia/metering/box"
	"indicia/metering/rating"
	"indicia/payments"
	"indicia/postage"
)

// fakeCleanser takes "STREET, ZIP" and standardizes it to upper case; an
// address holding "nowhere" does not validate.
type fakeCleanser struct{}

func (fakeCleanser) Cleanse(text string) address.Result {
	r := address.Result{Input: text, Status: address.StatusValid}
	if street, ok := strings.CutSuffix(text, ", Springfield IL"); ok {
		// The city has several ZIPs and none was written.
		r.Status, r.Reasons, r.CandidateZIPs = address.StatusAmbiguous, []string{"SPRINGFIELD, IL has 2 ZIP codes: add the ZIP"}, []string{"62701", "62704"}
		r.Standardized = address.Standardized{Lines: []string{strings.ToUpper(street), "SPRINGFIELD IL"}, OneLine: strings.ToUpper(street) + ", SPRINGFIELD IL"}
		return r
	}
	street, zip, ok := strings.Cut(text, ", ")
	if !ok || strings.Contains(text, "nowhere") {
		r.Status, r.Reasons = address.StatusInvalid, []string{"no such street"}
		return r
	}
	street = strings.ToUpper(street)
	r.ZIP, r.ZIP4 = zip, "0001"
	r.Standardized = address.Standardized{Lines: []string{street, "TOWN ST " + zip + "-0001"}, DeliveryLine: street,
		LastLine: "TOWN ST " + zip + "-0001", OneLine: street + ", TOWN ST " + zip + "-0001"}
	return r
}

// fakeMoves knows moves by delivery line.
type fakeMoves map[string]*coa.Move

func (f fakeMoves) Lookup(_ context.Context, _ int64, res address.Result, _ string) (*coa.Move, error) {
	return f[res.Standardized.DeliveryLine], nil
}

// fakeRater charges 10 cents an ounce plus 50; over 13 oz a letter is refused.
type fakeRater struct{}

func (fakeRater) Rate(p rating.Piece) (rating.Quote, error) {
	if p.WeightOz > 13 {
		return rating.Quote{}, &rating.FieldError{Field: "weight", Message: "a letter weighs at most 13 oz"}
	}
	if p.OriginZIP == "" {
		return rating.Quote{}, &rating.FieldError{Field: "origin_zip", Message: "origin ZIP is required"}
	}
	return rating.Quote{Class: p.Class, OK: true, TotalCents: 50 + int64(p.WeightOz*10)}, nil
}

// fakeBuyer records what it was asked to buy.
type fakeBuyer struct {
	mu   sync.Mutex
	reqs []metering.PurchaseRequest
	err  error
}

func (b *fakeBuyer) Buy(_ context.Context, _ accounts.User, req metering.PurchaseRequest) (metering.Purchase, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return metering.Purchase{}, b.err
	}
	b.reqs = append(b.reqs, req)
	var total int64
	for _, p := range req.Pieces {
		total += p.Postage
	}
	return metering.Purchase{PublicID: "pur_1", MeterID: req.MeterID, Pieces: len(req.Pieces), Postage: total}, nil
}

// fakeMeters holds one account's meters; the first active one is the default.
type fakeMeters []metering.Meter

func (f fakeMeters) MeterBySerial(_ context.Context, _ accounts.User, serial string) (metering.Meter, error) {
	for _, m := range f {
		if m.Record.Serial == serial {
			return m, nil
		}
	}
	return metering.Meter{}, apperr.NotFound("No such meter.")
}

func (f fakeMeters) DefaultMeter(context.Context, accounts.User) (metering.Meter, error) {
	for _, m := range f {
		if m.Record.Status == box.StatusActive {
			return m, nil
		}
	}
	return metering.Meter{}, apperr.Conflict("meter", "Your account has no active meter.")
}

func (f fakeMeters) Meters(context.Context, accounts.User, int64) ([]metering.Meter, error) {
	return append([]metering.Meter(nil), f...), nil
}

// fakeFunding puts the meters it lists on trickle, the rest prepaid.
type fakeFunding map[int64]bool

func (f fakeFunding) FundingOf(_ context.Context, meterID int64) (payments.Funding, error) {
	if f[meterID] {
		return payments.Funding{MeterID: meterID, Mode: payments.ModeTrickle}, nil
	}
	return payments.Funding{MeterID: meterID, Mode: payments.ModePrepaid}, nil
}

func (fakeFunding) Fee(pieces int) int64 { return 25 * int64(pieces) }

var (
	fixed    = metering.Meter{ID: 1, Record: box.Record{Serial: "M1", OriginZIP: "06901", Status: box.StatusActive}}
	floating = metering.Meter{ID: 2, Record: box.Record{Serial: "M2", OriginZIP: box.FloatingOrigin, Status: box.StatusActive}}
	mailer   = accounts.User{ID: 7, AccountID: 3, Role: accounts.RoleOwner}
)

// newService is the service over fakes; Bob at 12 Willow St has moved.
func newService() (*postage.Service, *fakeBuyer) {
	b := &fakeBuyer{}
	moves := fakeMoves{"12 WILLOW ST": {Code: coa.CodeNewAddress, MoveType: "individual", RecordID: 42,
		New: address.Fields{Line1: "34 ASPEN RD", City: "STAMFORD", State: "CT", ZIP: "06902"}}}
	return postage.New(postage.Deps{Meters: fakeMeters{fixed, floating}, Funding: fakeFunding{2: true}, Buyer: b,
		Cleanser: fakeCleanser{}, Moves: moves, Rater: fakeRater{}}), b
}

func letter(address string, oz float64) postage.Piece {
	return postage.Piece{Recipient: postage.Recipient{Name: "Bob", Address: address}, Rated: true,
		Spec: rating.Piece{Class: rating.ClassFirstClassLetter, WeightOz: oz}}
}
