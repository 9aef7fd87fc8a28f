package box

import (
	"testing"
	"time"
)

// A debit lowers the descending register by exactly its amount, leaves the
// ascending register alone and is one signed record of the meter's chain.
func TestDebitTakesFundsOutOfTheMeter(t *testing.T) {
	e := newEnv(t, time.Now())
	c, _ := e.start(t)
	m := activeMeter(t, c, "IND-D001", "12345", 1_000)
	res, err := c.Dispense(ctx, m.rec, pieces(1, 300))
	if err != nil {
		t.Fatal(err)
	}
	m.store(t, res.Record, res.Pieces[0].Tx)
	rec, tx, err := c.Debit(ctx, m.rec, 500, "outside:re_1")
	if err != nil {
		t.Fatal(err)
	}
	if rec.DR != 200 || rec.AR != 300 || rec.Counter != m.rec.Counter+1 {
		t.Fatalf("after a 500 debit: DR %d AR %d counter %d, want 200, 300, %d", rec.DR, rec.AR, rec.Counter, m.rec.Counter+1)
	}
	if tx.Kind != TxDebit || tx.Amount != 500 || tx.TransferID != "outside:re_1" {
		t.Fatalf("debit record %+v", tx)
	}
	m.store(t, rec, tx)
	checkChain(t, m)
	if err := c.Commit(ctx, rec.Serial, rec.Counter); err != nil {
		t.Fatal(err)
	}
	// The meter goes on from the debited record.
	if _, err := c.Dispense(ctx, m.rec, pieces(1, 200)); err != nil {
		t.Fatalf("dispense after the debit: %v", err)
	}
}

// A debit larger than the register is refused and changes nothing: the
// same record still works afterwards.
func TestDebitBeyondTheRegisterIsRefused(t *testing.T) {
	e := newEnv(t, time.Now())
	c, _ := e.start(t)
	m := activeMeter(t, c, "IND-D002", "12345", 1_000)
	_, _, err := c.Debit(ctx, m.rec, 1_001, "outside:re_2")
	wantErr(t, err, ErrInsufficientFunds)
	for _, bad := range []int64{0, -5} {
		_, _, err := c.Debit(ctx, m.rec, bad, "outside:re_2")
		wantErr(t, err, ErrBadRequest)
	}
	_, _, err = c.Debit(ctx, m.rec, 10, "")
	wantErr(t, err, ErrBadRequest)
	rec, _, err := c.Debit(ctx, m.rec, 1_000, "outside:re_2")
	if err != nil {
		t.Fatalf("the whole register from the same record: %v", err)
	}
	if rec.DR != 0 {
		t.Fatalf("DR %d after debiting everything", rec.DR)
	}
}

// A suspended meter can be debited (the money is not its own); a debit the
// database rolled back is dropped like any pending step.
func TestDebitOfASuspendedMeterAndRollback(t *testing.T) {
	e := newEnv(t, time.Now())
	c, _ := e.start(t)
	m := activeMeter(t, c, "IND-D003", "12345", 1_000)
	rec, tx, err := c.SetStatus(ctx, m.rec, StatusSuspended, ReasonCreditAbuse)
	if err != nil {
		t.Fatal(err)
	}
	m.store(t, rec, tx)
	dropped, _, err := c.Debit(ctx, m.rec, 400, "outside:re_3")
	if err != nil {
		t.Fatalf("debit of a suspended meter: %v", err)
	}
	// The database rolled back: the same record again takes the debit anew.
	again, _, err := c.Debit(ctx, m.rec, 400, "outside:re_3")
	if err != nil {
		t.Fatalf("debit after the rollback: %v", err)
	}
	if again.DR != 600 || again.Counter != dropped.Counter {
		t.Fatalf("after the rollback: DR %d counter %d", again.DR, again.Counter)
	}
	if err := c.Commit(ctx, m.rec.Serial, again.Counter); err != nil {
		t.Fatal(err)
	}
	_, _, err = c.Debit(ctx, m.rec, 100, "outside:re_4")
	wantErr(t, err, ErrTamperFreshness)
}
