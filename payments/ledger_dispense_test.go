package payments_test

import (
	"context"
	"fmt"
	"testing"

	"indicia/payments"
)

// The dispense trigger checks its own transfers when it posts them, so the
// deferred check skips the rows it posts; a dispense row written any other
// way is still checked at commit.
func TestLedgerChecksDispenseRowsNotPostedByTheTrigger(t *testing.T) {
	t.Parallel()
	e := setup(t, 10_00, payments.Options{})
	ctx := context.Background()
	tx, err := e.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO ledger_entries (transfer_id, account, amount, kind, meter_id) VALUES ('dispense:hand', $1, -100, 'dispense', $2)`,
		fmt.Sprintf("meter:%d", e.meter.ID), e.meter.ID); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err == nil {
		t.Error("an unbalanced dispense transfer written by hand committed")
	}
	if got := e.balance(fmt.Sprintf("meter:%d", e.meter.ID)); got != 10_00 {
		t.Errorf("meter ledger balance %d, want its DR 1000", got)
	}
	e.books()
}
