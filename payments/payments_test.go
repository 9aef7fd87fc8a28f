package payments_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/db/dbtest"
	"indicia/metering"
	"indicia/metering/meteringtest"
	"indicia/payments"
	"indicia/payments/stripestub"
)

const webhookSecret = "whsec_test_secret"

type env struct {
	t     testing.TB
	pool  *pgxpool.Pool
	met   *metering.Service
	pay   *payments.Service
	stub  *stripestub.Stub
	url   string
	owner accounts.User
	meter metering.Meter
	box   *meteringtest.Box
	now   time.Time
}

func TestMain(m *testing.M) {
	if os.Getenv("PAYMENTS_CRASH_CHILD") == "1" {
		os.Exit(crashChild())
	}
	os.Exit(m.Run())
}

// setup gives a mailer with an active meter holding fund cents, and the stand-in.
func setup(t *testing.T, fund int64, opt payments.Options) *env { return setupTB(t, fund, opt) }

func setupB(b *testing.B, fund int64) *env { return setupTB(b, fund, payments.Options{FeePerPiece: 5}) }

func setupTB(t testing.TB, fund int64, opt payments.Options) *env {
	t.Helper()
	return setupOn(t, meteringtest.Start(t), fund, opt)
}

// setupOn is setup on a given box (a box process a test can stop).
func setupOn(t testing.TB, bx *meteringtest.Box, fund int64, opt payments.Options) *env {
	t.Helper()
	e := &env{t: t, pool: dbtest.New(t), box: bx}
	rdb, prefix := dbtest.Redis(t)
	acc, err := accounts.New(e.pool, rdb, accounts.Options{RedisPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	owner, acct, err := acc.SignUp(ctx, accounts.SignUpInput{Name: "Mae Mailer", Company: "Mae Co", Email: "mae@example.com",
		Password: "long enough password", Address: accounts.Address{Line1: "1 Main St", City: "Stamford", State: "CT", ZIP: "06901"}})
	if err != nil {
		t.Fatal(err)
	}
	e.owner = owner
	e.met = metering.New(e.pool, e.box.Client, metering.Options{})
	if e.meter, err = e.met.Provision(ctx, acct.ID, acct.OriginZIP); err != nil {
		t.Fatal(err)
	}
	if fund > 0 {
		if e.meter, err = e.met.Credit(ctx, accounts.System, e.meter.ID, fund, metering.CreditAdmin, ""); err != nil {
			t.Fatal(err)
		}
	}
	e.stub = stripestub.New(stripestub.Options{})
	srv := httptest.NewServer(e.stub)
	t.Cleanup(srv.Close)
	e.url = srv.URL
	if opt.Now == nil {
		e.now = time.Now()
		opt.Now = func() time.Time { return e.now }
	}
	e.pay = payments.New(e.pool, payments.NewStripe(payments.StripeConfig{SecretKey: "sk_test_stub", WebhookSecret: webhookSecret, APIURL: srv.URL}),
		e.met, opt)
	return e
}

func (e *env) card(token string) {
	e.t.Helper()
	if _, err := e.pay.SaveCard(context.Background(), e.owner, token); err != nil {
		e.t.Fatalf("save card %s: %v", token, err)
	}
}

func (e *env) trickle() {
	e.t.Helper()
	if err := e.pay.SetFunding(context.Background(), e.owner, payments.Funding{MeterID: e.meter.ID, Mode: payments.ModeTrickle}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) dr() int64 {
	e.t.Helper()
	m, err := e.met.Meter(context.Background(), accounts.System, e.meter.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return m.Record.DR
}

func (e *env) labels() int {
	e.t.Helper()
	ls, err := e.met.RecentLabels(context.Background(), e.owner, 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	return len(ls)
}

// books checks the ledger audit and the metering audit are clean.
func (e *env) books() {
	e.t.Helper()
	ctx := context.Background()
	problems, err := e.pay.AuditLedger(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, p := range problems {
		e.t.Errorf("ledger audit: %s", p)
	}
	rep, err := e.met.Audit(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, p := range rep.Problems {
		e.t.Errorf("metering audit: %s", p)
	}
}

func piece(postage int64) metering.PieceRequest {
	return metering.PieceRequest{Postage: postage, DestZIP: "90210", MailClass: "FCM_LETTER",
		Recipient: metering.Recipient{Name: "Ann Lee", Lines: []string{"9 ELM ST", "BEVERLY HILLS CA 90210"}, Standardized: "9 ELM ST|90210"}}
}

func (e *env) balance(account string) int64 {
	e.t.Helper()
	var b int64
	if err := e.pool.QueryRow(context.Background(), `SELECT coalesce(sum(amount),0)::bigint FROM ledger_entries WHERE account = $1`, account).Scan(&b); err != nil {
		e.t.Fatal(err)
	}
	return b
}

func (e *env) chargeStatus(publicID string) string {
	e.t.Helper()
	c, err := e.pay.ChargeByID(context.Background(), e.owner, publicID)
	if err != nil {
		e.t.Fatal(err)
	}
	return c.Status
}

func TestTrickleChargesPostagePlusFeeThenDispenses(t *testing.T) {
	t.Parallel()
	e := setup(t, 0, payments.Options{FeePerPiece: 5})
	e.card("pm_card_visa")
	e.trickle()
	ctx := context.Background()
	req := metering.PurchaseRequest{MeterID: e.meter.ID, Pieces: []metering.PieceRequest{piece(78), piece(156)}, IdempotencyKey: "order-1"}
	c, p, err := e.pay.BuyTrickle(ctx, e.owner, req)
	if err != nil {
		t.Fatalf("trickle purchase: %v", err)
	}
	if len(p.Labels) != 2 || p.Postage != 234 {
		t.Fatalf("got %d labels for %d cents, want 2 for 234", len(p.Labels), p.Postage)
	}
	pi := e.stub.Object(c.PaymentIntentID)
	if pi == nil || pi["status"] != "succeeded" || pi["amount"].(float64) != 244 {
		t.Fatalf("Stripe PaymentIntent = %v, want succeeded for 244 cents (234 postage + 2 × 5 fee)", pi)
	}
	if c.Status != payments.StatusDone || c.CardLast4 != "4242" {
		t.Errorf("charge status %s card %s, want done on 4242", c.Status, c.CardLast4)
	}
	if got := e.dr(); got != 0 {
		t.Errorf("a trickle meter keeps %d cents after the purchase, want 0", got)
	}
	// The same request again (a client retry) returns the same labels and charges nothing more.
	c2, p2, err := e.pay.BuyTrickle(ctx, e.owner, req)
	if err != nil {
		t.Fatal(err)
	}
	if !p2.Replayed || p2.PublicID != p.PublicID || c2.PublicID != c.PublicID || e.stub.SucceededCharges() != 1 {
		t.Errorf("retry: replayed=%v same purchase=%v charges=%d; want the first labels and one charge", p2.Replayed, p2.PublicID == p.PublicID, e.stub.SucceededCharges())
	}
	if e.labels() != 2 {
		t.Errorf("%d labels exist, want 2", e.labels())
	}
	if got := e.balance("postal_revenue:06901"); got != 234 {
		t.Errorf("post office 06901 is owed %d cents, want 234", got)
	}
	if got := e.balance(payments.AccVendorFees); got != 10 {
		t.Errorf("vendor fees %d, want 10", got)
	}
	e.books()
}

func TestBuyRoutesByFundingMode(t *testing.T) {
	t.Parallel()
	e := setup(t, 10_00, payments.Options{})
	e.card("pm_card_visa")
	ctx := context.Background()
	if _, err := e.pay.Buy(ctx, e.owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}}); err != nil {
		t.Fatal(err)
	}
	if e.stub.SucceededCharges() != 0 || e.dr() != 10_00-78 {
		t.Fatalf("prepaid purchase: %d charges, DR %d; want no charge and DR %d", e.stub.SucceededCharges(), e.dr(), 10_00-78)
	}
	e.trickle()
	if _, err := e.pay.Buy(ctx, e.owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}}); err != nil {
		t.Fatal(err)
	}
	if e.stub.SucceededCharges() != 1 || e.dr() != 10_00-78 {
		t.Fatalf("trickle purchase: %d charges, DR %d; want one charge and the balance untouched", e.stub.SucceededCharges(), e.dr())
	}
	e.books()
}

func TestDeclineShowsReasonAndDispensesNothing(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ token, code, words string }{
		{"pm_card_chargeDeclined", "generic_decline", "declined"},
		{"pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds", "insufficient funds"},
		{"pm_card_chargeDeclinedExpiredCard", "expired_card", "expired"},
	} {
		t.Run(tc.code, func(t *testing.T) {
			e := setup(t, 0, payments.Options{})
			e.card(tc.token)
			e.trickle()
			c, _, err := e.pay.BuyTrickle(context.Background(), e.owner, metering.PurchaseRequest{MeterID: e.meter.ID, Pieces: []metering.PieceRequest{piece(78)}})
			ae, ok := apperr.As(err)
			if !ok || ae.Kind != apperr.KindPayment || !contains(ae.Message, tc.words) {
				t.Fatalf("decline: got %v, want a payment error saying %q", err, tc.words)
			}
			if e.labels() != 0 || e.dr() != 0 {
				t.Errorf("after a decline: %d labels, DR %d; want nothing dispensed", e.labels(), e.dr())
			}
			if c.Status != payments.StatusDeclined || c.DeclineCode != tc.code {
				t.Errorf("attempt recorded as %s/%s, want declined/%s", c.Status, c.DeclineCode, tc.code)
			}
			e.books()
		})
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && (s[:len(sub)] == sub || contains(s[1:], sub)))
}

// A Stripe outage: the mailer is told to try again, nothing is dispensed, and
// whatever Stripe may have done is undone by the reconciler.
func TestOutageSaysTryAgainAndLeavesNothingHalfDone(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		fail  func(*stripestub.Stub)
		wantR int // refunds the reconciler makes
	}{
		{"stripe never acted", func(s *stripestub.Stub) { s.FailNext(1) }, 1},
		{"stripe charged but the answer was lost", func(s *stripestub.Stub) { s.FailAfterNext(1) }, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t, 0, payments.Options{})
			e.card("pm_card_visa")
			e.trickle()
			tc.fail(e.stub)
			c, _, err := e.pay.BuyTrickle(context.Background(), e.owner, metering.PurchaseRequest{MeterID: e.meter.ID, Pieces: []metering.PieceRequest{piece(78)}})
			if apperr.KindOf(err) != apperr.KindUnavailable || !contains(err.Error(), "try again") {
				t.Fatalf("outage: got %v, want an unavailable error saying try again", err)
			}
			if e.labels() != 0 {
				t.Fatal("labels were dispensed during an outage")
			}
			e.now = e.now.Add(10 * time.Minute)
			res, err := e.pay.Reconcile(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if res.Refunded != 1 || e.chargeStatus(c.PublicID) != payments.StatusRefunded || e.labels() != 0 {
				t.Errorf("reconciler: %+v, status %s, labels %d; want the charge refunded and nothing dispensed", res, e.chargeStatus(c.PublicID), e.labels())
			}
			if got := e.balance(payments.AccCardClearing); got != 0 {
				t.Errorf("card clearing holds %d after charge+refund, want 0", got)
			}
			e.books()
		})
	}
}

func TestTopUpCreditsMeterWithPaymentIntentAsTransfer(t *testing.T) {
	t.Parallel()
	e := setup(t, 0, payments.Options{})
	e.card("pm_card_visa")
	ctx := context.Background()
	if _, err := e.pay.TopUp(ctx, e.owner, e.meter.ID, 5_00, ""); apperr.KindOf(err) != apperr.KindInvalid {
		t.Errorf("a $5 top-up: got %v, want refused under the $10 minimum", err)
	}
	c, err := e.pay.TopUp(ctx, e.owner, e.meter.ID, 25_00, "topup-1")
	if err != nil {
		t.Fatal(err)
	}
	if e.dr() != 25_00 {
		t.Fatalf("DR %d after a $25 top-up", e.dr())
	}
	var reason string
	var amount int64
	if err := e.pool.QueryRow(ctx, `SELECT reason, amount FROM funds_transfers WHERE transfer_id = $1`, c.PaymentIntentID).Scan(&reason, &amount); err != nil {
		t.Fatalf("no funds transfer named for the PaymentIntent %s: %v", c.PaymentIntentID, err)
	}
	if reason != metering.CreditPayment || amount != 25_00 {
		t.Errorf("transfer %s %d, want %s 2500", reason, amount, metering.CreditPayment)
	}
	if _, err := e.pay.TopUp(ctx, e.owner, e.meter.ID, 25_00, "topup-1"); err != nil || e.dr() != 25_00 || e.stub.SucceededCharges() != 1 {
		t.Errorf("retried top-up: err %v, DR %d, charges %d; want one charge", err, e.dr(), e.stub.SucceededCharges())
	}
	// A prepaid purchase after the top-up, then a void credited back to the meter.
	e.books()
}

func TestAutoRefillFiresOnceUnderConcurrency(t *testing.T) {
	t.Parallel()
	e := setup(t, 5_00, payments.Options{})
	e.card("pm_card_visa")
	ctx := context.Background()
	if err := e.pay.SetFunding(ctx, e.owner, payments.Funding{MeterID: e.meter.ID, Mode: payments.ModePrepaid,
		RefillAmount: 50_00, RefillThreshold: 10_00, RefillDailyCap: 100_00}); err != nil {
		t.Fatal(err)
	}
	const n = 12
	errs := make(chan error, n)
	fired := make(chan bool, n)
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		go func() {
			<-start
			f, err := e.pay.MaybeRefill(ctx, e.meter.ID)
			fired <- f
			errs <- err
		}()
	}
	close(start)
	count := 0
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
		if <-fired {
			count++
		}
	}
	if count != 1 || e.stub.SucceededCharges() != 1 || e.dr() != 55_00 {
		t.Fatalf("%d refills fired, %d charges, DR %d; want exactly one refill to $55.00", count, e.stub.SucceededCharges(), e.dr())
	}
	// Above the threshold now: nothing fires.
	if f, err := e.pay.MaybeRefill(ctx, e.meter.ID); f || err != nil {
		t.Errorf("refill above the threshold: fired=%v err=%v", f, err)
	}
	e.books()
}

func TestAutoRefillRespectsDailyCapAndEmailsWhenItFails(t *testing.T) {
	t.Parallel()
	mb := &memMailer{}
	e := setup(t, 5_00, payments.Options{Mailer: mb})
	e.card("pm_card_chargeDeclinedInsufficientFunds")
	ctx := context.Background()
	if err := e.pay.SetFunding(ctx, e.owner, payments.Funding{MeterID: e.meter.ID, Mode: payments.ModePrepaid,
		RefillAmount: 50_00, RefillThreshold: 10_00, RefillDailyCap: 50_00}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.pay.MaybeRefill(ctx, e.meter.ID); apperr.KindOf(err) != apperr.KindPayment {
		t.Fatalf("refill on a declining card: %v, want a decline", err)
	}
	if len(mb.sent) != 1 || mb.sent[0].to != "mae@example.com" || !contains(mb.sent[0].subject, "Auto-refill failed") {
		t.Fatalf("emails %+v, want one failed-refill email to the owner", mb.sent)
	}
	e.card("pm_card_visa")
	if f, err := e.pay.MaybeRefill(ctx, e.meter.ID); !f || err != nil {
		t.Fatalf("refill with a good card: fired=%v err=%v", f, err)
	}
	// Spend down below the threshold again: the $50 cap is used up today, so the owner is told the balance is low.
	if _, err := e.met.Purchase(ctx, e.owner, metering.PurchaseRequest{MeterID: e.meter.ID, Pieces: []metering.PieceRequest{piece(50_00)}}); err != nil {
		t.Fatal(err)
	}
	if f, err := e.pay.MaybeRefill(ctx, e.meter.ID); f || err != nil {
		t.Fatalf("refill over the daily cap: fired=%v err=%v", f, err)
	}
	if len(mb.sent) != 2 || !contains(mb.sent[1].subject, "Low postage balance") {
		t.Fatalf("emails %+v, want a low-balance email after the capped refill", mb.sent)
	}
	e.books()
}

type sentMail struct{ to, subject, body string }

type memMailer struct{ sent []sentMail }

func (m *memMailer) Send(_ context.Context, to, subject, body string) error {
	m.sent = append(m.sent, sentMail{to, subject, body})
	return nil
}

func TestWebhooks(t *testing.T) {
	t.Parallel()
	e := setup(t, 0, payments.Options{})
	e.card("pm_card_visa")
	ctx := context.Background()
	c, err := e.pay.TopUp(ctx, e.owner, e.meter.ID, 20_00, "")
	if err != nil {
		t.Fatal(err)
	}
	ev := e.stub.Events[len(e.stub.Events)-1]
	payload, sig := stripestub.Sign(ev, webhookSecret)
	if _, err := e.pay.HandleWebhook(ctx, payload, sig); err != nil {
		t.Fatal(err)
	}
	res, err := e.pay.HandleWebhook(ctx, payload, sig)
	if err != nil || !res.Duplicate {
		t.Errorf("redelivered event: %+v %v, want it ignored as a duplicate", res, err)
	}
	bad, badSig := stripestub.Sign(ev, "whsec_someone_else")
	if _, err := e.pay.HandleWebhook(ctx, bad, badSig); !errors.Is(err, payments.ErrBadSignature) {
		t.Errorf("bad signature: %v", err)
	}
	// A dispute suspends the meter for credit abuse and alerts the admin.
	dv, err := e.stub.Dispute(c.PaymentIntentID)
	if err != nil {
		t.Fatal(err)
	}
	payload, sig = stripestub.Sign(dv, webhookSecret)
	if _, err := e.pay.HandleWebhook(ctx, payload, sig); err != nil {
		t.Fatal(err)
	}
	m, _ := e.met.Meter(ctx, accounts.System, e.meter.ID)
	if m.Record.Status != "suspended" || m.Record.SuspendReason != "credit_abuse" {
		t.Errorf("after a dispute the meter is %s (%s), want suspended for credit abuse", m.Record.Status, m.Record.SuspendReason)
	}
	alerts, err := e.pay.Alerts(ctx, accounts.System, 10)
	if err != nil || len(alerts) != 1 || alerts[0].Kind != "dispute" {
		t.Errorf("alerts %+v %v, want one dispute alert", alerts, err)
	}
}

func TestRefundForVoidReturnsPostageToTheCard(t *testing.T) {
	t.Parallel()
	e := setup(t, 0, payments.Options{FeePerPiece: 5})
	e.card("pm_card_visa")
	e.trickle()
	ctx := context.Background()
	c, p, err := e.pay.BuyTrickle(ctx, e.owner, metering.PurchaseRequest{MeterID: e.meter.ID, Pieces: []metering.PieceRequest{piece(78), piece(78)}})
	if err != nil {
		t.Fatal(err)
	}
	label := p.Labels[0].PublicID
	if ok, err := e.pay.RefundForVoid(ctx, label); err == nil || ok {
		t.Fatalf("refund of an issued label: ok=%v err=%v, want refused", ok, err)
	}
	// metering.Void marks the label voided; here the same row change.
	if _, err := e.pool.Exec(ctx, `UPDATE indicia SET status = 'voided', voided_at = now(), void_reason = 'voided by the mailer' WHERE public_id = $1`, label); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if ok, err := e.pay.RefundForVoid(ctx, label); !ok || err != nil {
			t.Fatalf("refund for void (call %d): ok=%v err=%v", i+1, ok, err)
		}
	}
	ch := e.stub.Object(e.stub.Object(c.PaymentIntentID)["latest_charge"].(string))
	if ch["amount_refunded"].(float64) != 78 {
		t.Errorf("Stripe refunded %v, want 78 once", ch["amount_refunded"])
	}
	if got := e.balance("postal_revenue:06901"); got != 78 {
		t.Errorf("post office owed %d after the void, want 78", got)
	}
	if got := e.balance(payments.AccRefunds); got != 0 {
		t.Errorf("refunds account holds %d, want 0", got)
	}
	problems, err := e.pay.AuditLedger(ctx)
	if err != nil || len(problems) > 0 {
		t.Errorf("ledger audit: %v %v", problems, err)
	}
	// metering.Void on a trickle-paid label refunds the card and leaves the meter alone.
	before, _ := e.met.Meter(ctx, accounts.System, e.meter.ID)
	v, err := e.met.Void(ctx, e.owner, p.Labels[1].PublicID)
	if err != nil {
		t.Fatal(err)
	}
	if !v.ToCard || v.CardPending || v.Refunded != 78 {
		t.Errorf("void of a trickle label: %+v, want refunded 78 to the card", v)
	}
	after, _ := e.met.Meter(ctx, accounts.System, e.meter.ID)
	if after.Record.DR != before.Record.DR || after.Record.Counter != before.Record.Counter {
		t.Errorf("the meter changed on a card refund: DR %d→%d", before.Record.DR, after.Record.DR)
	}
	ch = e.stub.Object(e.stub.Object(c.PaymentIntentID)["latest_charge"].(string))
	if ch["amount_refunded"].(float64) != 156 {
		t.Errorf("Stripe refunded %v in all, want 156", ch["amount_refunded"])
	}
	if rep, err := e.met.Audit(ctx); err != nil || !rep.OK() || rep.Voided != 2 {
		t.Errorf("metering audit after card voids: %+v %v", rep, err)
	}
	if problems, err := e.pay.AuditLedger(ctx); err != nil || len(problems) > 0 {
		t.Errorf("ledger audit after card voids: %v %v", problems, err)
	}
}

func TestLedgerRefusesUnbalancedTransfersAndEdits(t *testing.T) {
	t.Parallel()
	e := setup(t, 10_00, payments.Options{})
	ctx := context.Background()
	tx, err := e.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tx.Exec(ctx, `INSERT INTO ledger_entries (transfer_id, account, amount, kind) VALUES ('t1', 'card_clearing', -100, 'test'), ('t1', 'vendor_fees', 99, 'test')`)
	if err := tx.Commit(ctx); err == nil {
		t.Error("an unbalanced transfer committed")
	}
	if _, err := e.pool.Exec(ctx, `UPDATE ledger_entries SET amount = amount + 1`); err == nil {
		t.Error("a ledger entry was edited")
	}
	if _, err := e.pool.Exec(ctx, `DELETE FROM ledger_entries`); err == nil {
		t.Error("ledger entries were deleted")
	}
	if got := e.balance(fmt.Sprintf("meter:%d", e.meter.ID)); got != 10_00 {
		t.Errorf("meter ledger balance %d, want its DR 1000", got)
	}
	e.books()
}

func writeFile(name string, b []byte) error { return os.WriteFile(name, b, 0o600) }
