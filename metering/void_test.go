package metering_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/metering"
	"indicia/metering/meteringtest"
)

var staff = accounts.User{Role: accounts.RoleStaff, Name: "Sam Staff"}

func buyOne(t *testing.T, svc *metering.Service, owner accounts.User, postage int64) metering.Label {
	t.Helper()
	p, err := svc.Purchase(context.Background(), owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(postage)}})
	if err != nil {
		t.Fatal(err)
	}
	return p.Labels[0]
}

func TestVoidReturnsPostageAsANewCredit(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m := setup(t, b, 1000)
	l := buyOne(t, svc, owner, 78)
	v, err := svc.Void(context.Background(), owner, l.PublicID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Label.Status != "voided" || v.Refunded != 78 || v.TransferID != metering.VoidTransferID(l.PublicID) {
		t.Fatalf("void = %+v", v)
	}
	after, err := svc.Meter(context.Background(), owner, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	// AR keeps the dispensed postage; DR gets it back; the counter moved.
	if after.Record.AR != 78 || after.Record.DR != 1000 || after.Record.Counter <= m.Record.Counter+1 {
		t.Errorf("registers after void: AR %d DR %d counter %d", after.Record.AR, after.Record.DR, after.Record.Counter)
	}
	rep := audit(t, svc)
	if rep.Voided != 1 || rep.Credited != 1078 || rep.Postage != 78 || rep.Transfers != 2 {
		t.Errorf("audit after void %+v", rep)
	}
	// The refunded postage buys again.
	buyOne(t, svc, owner, 1000)
	audit(t, svc)

	res, err := svc.Verify(context.Background(), staff, metering.VerifyRequest{Text: textOf(t, l)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Result != metering.ResultVoid {
		t.Errorf("a voided indicium verifies as %s (%s)", res.Result, res.Reason)
	}
}

func TestVoidIsRefusedTwiceAfterTheWindowAndForOthers(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, _, pool := setupPool(t, b, 1000)
	ctx := context.Background()
	l := buyOne(t, svc, owner, 78)

	other := owner
	other.AccountID += 1000
	if _, err := svc.Void(ctx, other, l.PublicID); apperr.KindOf(err) != apperr.KindNotFound {
		t.Errorf("another account's void: %v, want not found", err)
	}
	if _, err := svc.Void(ctx, owner, "l_nosuchlabel"); apperr.KindOf(err) != apperr.KindNotFound {
		t.Errorf("unknown label: %v", err)
	}
	noPerm := owner
	noPerm.Role, noPerm.Permissions = accounts.RoleUser, nil
	if _, err := svc.Void(ctx, noPerm, l.PublicID); apperr.KindOf(err) != apperr.KindForbidden {
		t.Errorf("void without buy_postage: %v", err)
	}

	later := metering.New(pool, b.Client, metering.Options{Now: func() time.Time { return time.Now().Add(31 * 24 * time.Hour) }})
	if _, err := later.Void(ctx, owner, l.PublicID); apperr.KindOf(err) != apperr.KindConflict || !strings.Contains(err.Error(), "30 days") {
		t.Errorf("void after the window: %v", err)
	}
	wide := metering.New(pool, b.Client, metering.Options{VoidWindow: 40 * 24 * time.Hour,
		Now: func() time.Time { return time.Now().Add(31 * 24 * time.Hour) }})
	if _, err := wide.Void(ctx, owner, l.PublicID); err != nil {
		t.Fatalf("void inside a configured 40-day window: %v", err)
	}
	if _, err := svc.Void(ctx, owner, l.PublicID); apperr.KindOf(err) != apperr.KindConflict {
		t.Errorf("second void: %v, want conflict", err)
	}
	rep := audit(t, svc)
	if rep.Credited != 1078 {
		t.Errorf("credited %d after one void of 78 on 1000", rep.Credited)
	}
}

func TestConcurrentVoidsOfOneLabelCreditOnce(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m := setup(t, b, 1000)
	l := buyOne(t, svc, owner, 55)
	var wg sync.WaitGroup
	var mu sync.Mutex
	okCount, conflicts := 0, 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := svc.Void(context.Background(), owner, l.PublicID)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				okCount++
			case apperr.KindOf(err) == apperr.KindConflict:
				conflicts++
			default:
				t.Errorf("void: %v", err)
			}
		}()
	}
	wg.Wait()
	if okCount != 1 || conflicts != 7 {
		t.Fatalf("%d voids succeeded, %d conflicts; want 1 and 7", okCount, conflicts)
	}
	after, _ := svc.Meter(context.Background(), owner, m.ID)
	if after.Record.DR != 1000 {
		t.Errorf("DR %d after one void, want 1000", after.Record.DR)
	}
	audit(t, svc)
}

func TestUsedLabelCannotBeVoided(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, _ := setup(t, b, 1000)
	l := buyOne(t, svc, owner, 78)
	if res, err := svc.Verify(context.Background(), staff, metering.VerifyRequest{Text: textOf(t, l), PieceRef: "P1"}); err != nil || res.Result != metering.ResultValid {
		t.Fatalf("verify: %+v %v", res, err)
	}
	_, err := svc.Void(context.Background(), owner, l.PublicID)
	if apperr.KindOf(err) != apperr.KindConflict || !strings.Contains(err.Error(), "scanned") {
		t.Errorf("void of a used label: %v", err)
	}
}

func TestAuditFindsAVoidWithoutCredit(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, _, pool := setupPool(t, b, 1000)
	l := buyOne(t, svc, owner, 78)
	if _, err := pool.Exec(context.Background(), `UPDATE indicia SET status = 'voided', void_reason = 'voided by the mailer' WHERE public_id = $1`, l.PublicID); err != nil {
		t.Fatal(err)
	}
	rep, err := svc.Audit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || !strings.Contains(strings.Join(rep.Problems, "\n"), "0 void credits") {
		t.Errorf("audit of a void without credit: %v", rep.Problems)
	}
}

func TestSubmitRefundsVoidsOldUnusedLabels(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m, pool := setupPool(t, b, 1000)
	ctx := context.Background()
	unused := buyOne(t, svc, owner, 78)
	scanned := buyOne(t, svc, owner, 60)
	fresh := buyOne(t, svc, owner, 50)
	if _, err := svc.Verify(ctx, staff, metering.VerifyRequest{Text: textOf(t, scanned)}); err != nil {
		t.Fatal(err)
	}
	// Age two of them: the refund age counts from the date of mailing.
	if _, err := pool.Exec(ctx, `UPDATE indicia SET mailing_date = mailing_date - 50 WHERE public_id = ANY($1)`,
		[]string{unused.PublicID, scanned.PublicID}); err != nil {
		t.Fatal(err)
	}
	run, err := svc.SubmitRefunds(ctx, 45*24*time.Hour, 100, nil)
	if err != nil {
		t.Fatal(err)
	}
	if run.Submitted != 1 || run.Refunded != 78 || run.Failed != 0 {
		t.Errorf("refund run %+v, want the one unused old label", run)
	}
	for id, want := range map[string]string{unused.PublicID: "voided", scanned.PublicID: "issued", fresh.PublicID: "issued"} {
		l, err := svc.LabelByID(ctx, owner, id)
		if err != nil || l.Status != want {
			t.Errorf("label %s status %q (%v), want %s", id, l.Status, err, want)
		}
	}
	var reason string
	pool.QueryRow(ctx, `SELECT void_reason FROM indicia WHERE public_id = $1`, unused.PublicID).Scan(&reason)
	if reason != metering.VoidSubmittedForRefund {
		t.Errorf("void reason %q", reason)
	}
	again, _ := svc.SubmitRefunds(ctx, 45*24*time.Hour, 100, nil)
	if again.Submitted != 0 {
		t.Errorf("second run submitted %d again", again.Submitted)
	}
	after, _ := svc.Meter(ctx, owner, m.ID)
	if after.Record.DR != 1000-60-50 {
		t.Errorf("DR %d", after.Record.DR)
	}
	audit(t, svc)
	first, err := svc.ClaimRefundDay(ctx, time.Now())
	second, err2 := svc.ClaimRefundDay(ctx, time.Now())
	if err != nil || err2 != nil || !first || second {
		t.Errorf("claiming one day twice: %v %v (%v %v)", first, second, err, err2)
	}
}
