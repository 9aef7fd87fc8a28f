package postage_test

import (
	"context"
	"testing"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/db/dbtest"
	"indicia/hygiene/address"
	"indicia/hygiene/coa"
	"indicia/metering"
	"indicia/metering/meteringtest"
	"indicia/metering/rating"
	"indicia/postage"
)

// realService is the service over PostgreSQL, a box, the embedded rate
// tables, the real cleanser and change-of-address lookup (no lists loaded),
// buying from a prepaid meter holding fund cents.
func realService(t *testing.T, fund int64) (*postage.Service, *metering.Service, accounts.User, metering.Meter) {
	t.Helper()
	pool, bx := dbtest.New(t), meteringtest.Start(t)
	rdb, prefix := dbtest.Redis(t)
	acc, err := accounts.New(pool, rdb, accounts.Options{RedisPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	owner, acct, err := acc.SignUp(ctx, accounts.SignUpInput{Name: "Mae Mailer", Company: "Mae Co", Email: "mae@example.com",
		Password: "long enough password", Address: accounts.Address{Line1: "1 Main St", City: "Stamford", State: "CT", ZIP: "06901"}})
	if err != nil {
		t.Fatal(err)
	}
	met := metering.New(pool, bx.Client, metering.Options{})
	m, err := met.Provision(ctx, acct.ID, acct.OriginZIP)
	if err == nil {
		m, err = met.Credit(ctx, accounts.System, m.ID, fund, metering.CreditAdmin, "")
	}
	if err != nil {
		t.Fatal(err)
	}
	cleanser, err := address.New()
	if err != nil {
		t.Fatal(err)
	}
	coa, err := coa.New(pool, cleanser, coa.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rater, err := rating.LoadEmbedded(nil)
	if err != nil {
		t.Fatal(err)
	}
	s := postage.New(postage.Deps{Meters: met, Buyer: postage.BuyerFunc(met.Purchase), Cleanser: cleanser, Moves: coa, Rater: rater})
	return s, met, owner, m
}

func TestBuyAgainstTheRealServices(t *testing.T) {
	s, met, owner, m := realService(t, 10_000)
	piece := func(address string) postage.Piece {
		return postage.Piece{Recipient: postage.Recipient{Name: "Bob Reader", Address: address}, Rated: true,
			Spec: rating.Piece{Class: rating.ClassFirstClassLetter, WeightOz: 1}}
	}
	// A batch with one address that does not validate buys nothing.
	_, err := s.Buy(t.Context(), owner, postage.Order{Pieces: []postage.Piece{piece("12 Willow Street, Stamford CT 06901"), piece("nowhere at all")}})
	if ae, ok := apperr.As(err); !ok || ae.Field != "pieces[1].recipient.address" {
		t.Fatalf("batch with a bad address: %v", err)
	}
	if after, _ := met.Meter(t.Context(), owner, m.ID); after.Record.DR != m.Record.DR {
		t.Fatalf("balance moved from %d to %d after a refused batch", m.Record.DR, after.Record.DR)
	}
	q, err := s.Quote(t.Context(), owner, postage.Order{Pieces: []postage.Piece{piece("12 Willow Street, Stamford CT 06901")}})
	if err != nil || q.Total <= 0 || q.Meter.ID != m.ID {
		t.Fatalf("quote: %v %+v", err, q)
	}
	p, err := s.Buy(t.Context(), owner, postage.Order{IdempotencyKey: "k1", Pieces: []postage.Piece{piece("12 Willow Street, Stamford CT 06901")}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Postage != q.Total || len(p.Labels) != 1 || p.Labels[0].Recipient.Standardized == "" || p.Labels[0].OriginZIP != "06901" {
		t.Fatalf("purchase: %+v", p)
	}
}
