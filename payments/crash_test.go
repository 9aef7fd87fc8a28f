package payments_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"indicia/accounts"
	"indicia/db"
	"indicia/metering"
	"indicia/metering/box"
	"indicia/payments"
)

// crashChild is a stand-in serve process: it buys one trickle-charged label
// and kills itself (SIGKILL, no deferred code runs) right after the phase
// named in PAYMENTS_KILL_AT.
func crashChild() int {
	ctx := context.Background()
	pool, err := db.Open(ctx, os.Getenv("CHILD_DATABASE_URL"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	client, err := box.Dial(os.Getenv("CHILD_BOX_SOCKET"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	killAt := os.Getenv("PAYMENTS_KILL_AT")
	met := metering.New(pool, client, metering.Options{})
	pay := payments.New(pool, payments.NewStripe(payments.StripeConfig{SecretKey: "sk_test_stub", APIURL: os.Getenv("CHILD_STRIPE_URL")}), met,
		payments.Options{FeePerPiece: 5, AfterPhase: func(_ int64, status string) {
			if status == killAt {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {}
			}
		}})
	acct, _ := strconv.ParseInt(os.Getenv("CHILD_ACCOUNT"), 10, 64)
	meter, _ := strconv.ParseInt(os.Getenv("CHILD_METER"), 10, 64)
	owner := accounts.User{ID: 0, AccountID: acct, Role: accounts.RoleOwner}
	_, _, err = pay.BuyTrickle(ctx, owner, metering.PurchaseRequest{MeterID: meter, Pieces: []metering.PieceRequest{piece(78)}, IdempotencyKey: "crash-1"})
	fmt.Fprintln(os.Stderr, "child finished without being killed:", err)
	return 3
}

// Killing the serve process at each phase of a trickle purchase (before the
// charge, between Stripe's answer and our record of it, between the charge
// and the credit, between the credit and the dispense) leaves a charge the
// reconciler finishes: the card is charged exactly once and exactly one label
// is dispensed, and the books balance.
func TestKillBetweenChargeAndDispenseReconcilerFinishes(t *testing.T) {
	t.Parallel()
	for _, phase := range []string{payments.StatusStaged, "stripe_answered", payments.StatusCharged, payments.StatusCredited} {
		t.Run(phase, func(t *testing.T) {
			e := setup(t, 0, payments.Options{FeePerPiece: 5})
			e.card("pm_card_visa")
			e.trickle()
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "PAYMENTS_CRASH_CHILD=1", "PAYMENTS_KILL_AT="+phase,
				"CHILD_DATABASE_URL="+e.pool.Config().ConnString(), "CHILD_BOX_SOCKET="+e.box.Socket, "CHILD_STRIPE_URL="+e.url,
				fmt.Sprintf("CHILD_ACCOUNT=%d", e.owner.AccountID), fmt.Sprintf("CHILD_METER=%d", e.meter.ID))
			out, err := cmd.CombinedOutput()
			ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
			if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
				t.Fatalf("child was not killed at %s: %v\n%s", phase, err, out)
			}
			ctx := context.Background()
			var status string
			if err := e.pool.QueryRow(ctx, `SELECT status FROM charges`).Scan(&status); err != nil {
				t.Fatal(err)
			}
			wantLeft := map[string]string{payments.StatusStaged: "staged", "stripe_answered": "staged", payments.StatusCharged: "charged", payments.StatusCredited: "credited"}[phase]
			if status != wantLeft || e.labels() != 0 {
				t.Fatalf("after the kill: charge %s with %d labels, want %s with none", status, e.labels(), wantLeft)
			}
			// Within the grace period the reconciler leaves the charge to its request.
			if res, err := e.pay.Reconcile(ctx); err != nil || res.Finished != 0 {
				t.Fatalf("reconciler inside the grace period: %+v %v", res, err)
			}
			e.now = e.now.Add(10 * time.Minute)
			res, err := e.pay.Reconcile(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if res.Finished != 1 || e.labels() != 1 || e.stub.SucceededCharges() != 1 {
				t.Fatalf("reconciler: %+v, %d labels, %d Stripe charges; want it finished with one label and one charge", res, e.labels(), e.stub.SucceededCharges())
			}
			// The mailer's retry with the same key gets that label.
			_, p, err := e.pay.BuyTrickle(ctx, e.owner, metering.PurchaseRequest{MeterID: e.meter.ID, Pieces: []metering.PieceRequest{piece(78)}, IdempotencyKey: "crash-1"})
			if err != nil || !p.Replayed || len(p.Labels) != 1 || e.stub.SucceededCharges() != 1 {
				t.Fatalf("retry after recovery: %v replayed=%v; want the recovered label and no new charge", err, p.Replayed)
			}
			e.books()
		})
	}
}
