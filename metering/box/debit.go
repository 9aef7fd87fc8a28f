package box

import (
	"context"
	"fmt"
	"time"
)

// TxDebit is a meter chain record of funds taken back out of the
// descending register (money returned to the card outside the meter).
const TxDebit = "debit"

// OpDebit takes funds out of the descending register.
const OpDebit = "Debit"

// Debit takes funds out of the descending register: a signed funds
// transfer out of the meter, the mirror of Credit. It is refused when the
// register holds less than the amount (nothing changes), so the caller
// decides how much to take and what stays owed. Any meter but a retired
// one may be debited: a suspended meter keeps funds that are not its own.
func (b *Box) Debit(rec Record, amountCents int64, transferID string) (Record, TxRecord, error) {
	if amountCents <= 0 || amountCents > 1e12 {
		return Record{}, TxRecord{}, badRequest("debit of %d cents out of range", amountCents)
	}
	if transferID == "" || len(transferID) > 128 {
		return Record{}, TxRecord{}, badRequest("transfer id: want 1-128 characters")
	}
	return b.single(rec, func(next *Record, now time.Time) (*TxRecord, pending, error) {
		if next.Status == StatusRetired {
			return nil, pending{}, fmt.Errorf("box: meter %s is retired: %w", next.Serial, ErrMeterNotActive)
		}
		if amountCents > next.DR {
			return nil, pending{}, fmt.Errorf("box: meter %s: debit of %d cents, descending register has %d: %w",
				next.Serial, amountCents, next.DR, ErrInsufficientFunds)
		}
		next.DR -= amountCents
		return &TxRecord{Kind: TxDebit, Time: now, Amount: amountCents, TransferID: transferID},
			pending{Op: TxDebit, Amount: amountCents}, nil
	})
}

// Debit takes funds out of the meter; see Box.Debit.
func (c *Client) Debit(ctx context.Context, rec Record, amountCents int64, transferID string) (Record, TxRecord, error) {
	resp, err := c.call(ctx, &request{Op: opDebit, Record: rec, Amount: amountCents, TransferID: transferID})
	return resp.Record, resp.Tx, err
}
