package metering_test

import (
	"context"
	"crypto/ecdsa"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/db/dbtest"
	"indicia/metering"
	"indicia/metering/box"
	"indicia/metering/indicium"
	"indicia/metering/meteringtest"
)

func setup(t *testing.T, b *meteringtest.Box, fund int64) (*metering.Service, accounts.User, metering.Meter) {
	t.Helper()
	svc, owner, m, _ := setupPool(t, b, fund)
	return svc, owner, m
}

func setupB(b *testing.B, bx *meteringtest.Box) (*metering.Service, accounts.User, metering.Meter) {
	svc, owner, m, _ := setupPool(b, bx, 1_000_000_000)
	return svc, owner, m
}

func setupPool(t testing.TB, b *meteringtest.Box, fund int64) (*metering.Service, accounts.User, metering.Meter, *pgxpool.Pool) {
	t.Helper()
	pool := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	acc, err := accounts.New(pool, rdb, accounts.Options{RedisPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	owner, acct, err := acc.SignUp(context.Background(), accounts.SignUpInput{Name: "Mae Mailer", Company: "Mae Co", Email: "mae@example.com",
		Password: "long enough password", Address: accounts.Address{Line1: "1 Main St", City: "Stamford", State: "CT", ZIP: "06901"}})
	if err != nil {
		t.Fatal(err)
	}
	svc := metering.New(pool, b.Client, metering.Options{})
	m, err := svc.Provision(context.Background(), acct.ID, acct.OriginZIP)
	if err != nil {
		t.Fatal(err)
	}
	if fund > 0 {
		if m, err = svc.Credit(context.Background(), accounts.System, m.ID, fund, metering.CreditAdmin, ""); err != nil {
			t.Fatal(err)
		}
	}
	return svc, owner, m, pool
}

func piece(postage int64) metering.PieceRequest {
	return metering.PieceRequest{Postage: postage, DestZIP: "90210", MailClass: "FCM_LETTER",
		Recipient: metering.Recipient{Name: "Ann Lee", Lines: []string{"9 ELM ST", "BEVERLY HILLS CA 90210"}, Standardized: "9 ELM ST|90210"}}
}

func audit(t *testing.T, svc *metering.Service) metering.AuditReport {
	t.Helper()
	rep, err := svc.Audit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("audit found problems: %v", rep.Problems)
	}
	return rep
}

func meterKey(t *testing.T, m metering.Meter) *ecdsa.PublicKey {
	certs, err := indicium.ParseCertificatesPEM([]byte(m.CertPEM))
	if err != nil {
		t.Fatal(err)
	}
	return certs[0].PublicKey.(*ecdsa.PublicKey)
}

func TestSignUpMeterBuysAndVerifiesOffline(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m := setup(t, b, 1000)
	if m.Record.Status != box.StatusActive || m.Record.OriginZIP != "06901" || m.Record.DR != 1000 {
		t.Fatalf("provisioned meter %+v", m.Record)
	}
	p, err := svc.Purchase(context.Background(), owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Labels) != 1 || p.Postage != 78 || p.Labels[0].PieceNumber != 1 {
		t.Fatalf("purchase %+v", p)
	}
	in, err := indicium.Parse(p.Labels[0].Indicium)
	if err != nil {
		t.Fatal(err)
	}
	if err := in.Verify(meterKey(t, m)); err != nil {
		t.Fatalf("indicium does not verify: %v", err)
	}
	if in.Postage != 78 || in.OriginZIP != "06901" || in.DestZIP != "90210" || in.AR != 78 {
		t.Errorf("indicium fields %+v", in.Fields)
	}
	if in.RecipientHash != indicium.RecipientHash("9 ELM ST|90210") {
		t.Error("indicium does not carry the recipient's address hash")
	}
	rep := audit(t, svc)
	if rep.Pieces != 1 || rep.Postage != 78 || rep.Credited != 1000 {
		t.Errorf("audit totals %+v", rep)
	}
}

func TestBatchIsOneBoxStep(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m := setup(t, b, 10000)
	before := m.Record.Counter
	pieces := make([]metering.PieceRequest, 25)
	for i := range pieces {
		pieces[i] = piece(78)
	}
	p, err := svc.Purchase(context.Background(), owner, metering.PurchaseRequest{Pieces: pieces})
	if err != nil {
		t.Fatal(err)
	}
	after, _ := svc.Meter(context.Background(), owner, m.ID)
	if after.Record.Counter != before+1 || after.Record.PieceCount != 25 || len(p.Labels) != 25 {
		t.Errorf("batch of 25: counter %d→%d, pieces %d, labels %d", before, after.Record.Counter, after.Record.PieceCount, len(p.Labels))
	}
	audit(t, svc)
}

func TestInsufficientFundsDispensesNothing(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m := setup(t, b, 100)
	_, err := svc.Purchase(context.Background(), owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78), piece(78)}})
	if e, ok := apperr.As(err); !ok || e.Code != "insufficient_funds" {
		t.Fatalf("want insufficient funds, got %v", err)
	}
	after, _ := svc.Meter(context.Background(), owner, m.ID)
	if after.Record.DR != 100 || after.Record.PieceCount != 0 {
		t.Errorf("registers changed: %+v", after.Record)
	}
	audit(t, svc)
}

func TestSuspendedMeterRefusesAndReactivates(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m := setup(t, b, 1000)
	admin := accounts.User{ID: 0, Role: accounts.RoleAdmin}
	if _, err := svc.Suspend(context.Background(), admin, m.ID, box.ReasonInspection); err != nil {
		t.Fatal(err)
	}
	_, err := svc.Purchase(context.Background(), owner, metering.PurchaseRequest{MeterID: m.ID, Pieces: []metering.PieceRequest{piece(78)}})
	if e, ok := apperr.As(err); !ok || e.Code != "meter_not_active" {
		t.Fatalf("suspended meter: got %v", err)
	}
	if _, err := svc.Activate(context.Background(), admin, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Purchase(context.Background(), owner, metering.PurchaseRequest{MeterID: m.ID, Pieces: []metering.PieceRequest{piece(78)}}); err != nil {
		t.Fatalf("reactivated meter: %v", err)
	}
	if _, err := svc.Suspend(context.Background(), owner, m.ID, box.ReasonInspection); apperr.KindOf(err) != apperr.KindForbidden {
		t.Errorf("a mailer suspended a meter: %v", err)
	}
	audit(t, svc)
}

func TestIdempotentRetryReturnsTheSameLabels(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m := setup(t, b, 1000)
	req := metering.PurchaseRequest{IdempotencyKey: "order-42", Pieces: []metering.PieceRequest{piece(78)}}
	first, err := svc.Purchase(context.Background(), owner, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := svc.Purchase(context.Background(), owner, req)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Replayed || again.PublicID != first.PublicID || again.Labels[0].PublicID != first.Labels[0].PublicID || string(again.Labels[0].Indicium) != string(first.Labels[0].Indicium) {
		t.Errorf("retry gave a different purchase: %+v vs %+v", again, first)
	}
	req.Pieces = []metering.PieceRequest{piece(100)}
	if _, err := svc.Purchase(context.Background(), owner, req); apperr.KindOf(err) != apperr.KindConflict {
		t.Errorf("same key, different request: want conflict, got %v", err)
	}
	after, _ := svc.Meter(context.Background(), owner, m.ID)
	if after.Record.PieceCount != 1 {
		t.Errorf("piece count %d after a retry, want 1", after.Record.PieceCount)
	}
}

func TestConcurrentRetriesWithOneKeyDispenseOnce(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m := setup(t, b, 10000)
	req := metering.PurchaseRequest{IdempotencyKey: "dup", Pieces: []metering.PieceRequest{piece(78)}}
	var wg sync.WaitGroup
	ids := make([]string, 10)
	for i := range ids {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			p, err := svc.Purchase(context.Background(), owner, req)
			if err != nil && apperr.KindOf(err) != apperr.KindConflict {
				t.Error(err)
				return
			}
			if err == nil {
				ids[i] = p.Labels[0].PublicID
			}
		}(i)
	}
	wg.Wait()
	after, _ := svc.Meter(context.Background(), owner, m.ID)
	if after.Record.PieceCount != 1 {
		t.Fatalf("%d pieces dispensed for one idempotency key", after.Record.PieceCount)
	}
	for _, id := range ids {
		if id != "" && id != ids[0] && ids[0] != "" {
			t.Errorf("different labels for one key: %v", ids)
		}
	}
}

// 200 concurrent purchases on a meter funded for exactly 150 pieces.
func TestTwoHundredConcurrentPurchasesOnOneHundredFiftyPieces(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m := setup(t, b, 150*78)
	var ok, broke, other atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := svc.Purchase(context.Background(), owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}})
			switch e, _ := apperr.As(err); {
			case err == nil:
				ok.Add(1)
			case e != nil && e.Code == "insufficient_funds":
				broke.Add(1)
			default:
				other.Add(1)
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 150 || broke.Load() != 50 {
		t.Fatalf("%d succeeded, %d refused for funds, %d other errors; want 150 and 50", ok.Load(), broke.Load(), other.Load())
	}
	after, _ := svc.Meter(context.Background(), owner, m.ID)
	if after.Record.DR != 0 || after.Record.AR != 150*78 || after.Record.PieceCount != 150 {
		t.Errorf("registers after the rush: %+v", after.Record)
	}
	audit(t, svc)
}

func TestCrossAccountPurchaseIsRefused(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m := setup(t, b, 1000)
	stranger := owner
	stranger.AccountID = owner.AccountID + 1000
	_, err := svc.Purchase(context.Background(), stranger, metering.PurchaseRequest{MeterID: m.ID, Pieces: []metering.PieceRequest{piece(78)}})
	if apperr.KindOf(err) != apperr.KindNotFound {
		t.Fatalf("another account's meter: want not found, got %v", err)
	}
}

func TestBadInputNamesTheField(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, _ := setup(t, b, 1000)
	cases := map[string]metering.PieceRequest{
		"postage":      {Postage: 0, DestZIP: "90210", MailClass: "X", Recipient: metering.Recipient{Standardized: "x"}},
		"dest_zip":     {Postage: 5, DestZIP: "9021", MailClass: "X", Recipient: metering.Recipient{Standardized: "x"}},
		"mailing_date": {Postage: 5, DestZIP: "90210", MailClass: "X", MailingDate: time.Now().AddDate(0, 2, 0), Recipient: metering.Recipient{Standardized: "x"}},
		"recipient":    {Postage: 5, DestZIP: "90210", MailClass: "X"},
	}
	for field, pc := range cases {
		_, err := svc.Purchase(context.Background(), owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{pc}})
		f, _ := apperr.AsFields(err)
		if f[field] == "" {
			t.Errorf("%s: got %v", field, err)
		}
	}
	if _, err := svc.Purchase(context.Background(), owner, metering.PurchaseRequest{Pieces: make([]metering.PieceRequest, metering.MaxPieces+1)}); err == nil {
		t.Error("an oversized batch was accepted")
	}
}

// A credit retried with its transfer ID changes nothing; the same ID for
// another amount or meter is refused instead of looking like success.
func TestCreditTransferIDIsIdempotentAndChecked(t *testing.T) {
	b := meteringtest.Start(t)
	svc, _, m := setup(t, b, 0)
	ctx := context.Background()
	first, err := svc.Credit(ctx, accounts.System, m.ID, 1000, metering.CreditAdmin, "qa-t1")
	if err != nil || first.Record.DR != 1000 {
		t.Fatalf("first credit: DR %d, %v", first.Record.DR, err)
	}
	again, err := svc.Credit(ctx, accounts.System, m.ID, 1000, metering.CreditAdmin, "qa-t1")
	if err != nil || again.Record.DR != 1000 || again.Record.Counter != first.Record.Counter {
		t.Fatalf("retry: DR %d counter %d (want %d), %v", again.Record.DR, again.Record.Counter, first.Record.Counter, err)
	}
	_, err = svc.Credit(ctx, accounts.System, m.ID, 2000, metering.CreditAdmin, "qa-t1")
	if e, ok := apperr.As(err); !ok || e.Kind != apperr.KindConflict || e.Field != "transfer_id" {
		t.Fatalf("same transfer ID, other amount: %v, want a conflict on transfer_id", err)
	}
	after, _ := svc.Meter(ctx, accounts.System, m.ID)
	if after.Record.DR != 1000 {
		t.Errorf("DR %d after the refused credit, want 1000", after.Record.DR)
	}
	audit(t, svc)
}
