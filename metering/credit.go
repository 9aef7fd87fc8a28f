package metering

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/metering/box"
)

// Funds-transfer reasons.
const (
	CreditAdmin      = "admin_credit"   // a vendor admin credited funds
	CreditPayment    = "card_payment"   // a prepaid top-up paid by card
	CreditVoidRefund = "void_refund"    // postage of a voided label returned to the meter
	CreditTrickle    = "trickle_charge" // a trickle charge that funds exactly one purchase
)

// MaxCredit bounds one transfer (a typo guard, not a business rule).
const MaxCredit = 10_000_000_00

// transferPayload is what the transaction box signs for a funds transfer.
type transferPayload struct {
	TransferID string    `json:"transfer_id"`
	Serial     string    `json:"serial"`
	AccountID  int64     `json:"account_id"`
	Amount     int64     `json:"amount"`
	Reason     string    `json:"reason"`
	At         time.Time `json:"at"`
}

// Credit moves funds from the master account into the meter: the meter box
// raises the descending register and the transaction box signs the transfer,
// both stored in one transaction. transferID makes a retry harmless.
func (s *Service) Credit(ctx context.Context, actor accounts.User, meterID, amount int64, reason, transferID string) (Meter, error) {
	if actor.Role != accounts.RoleAdmin && actor.Role != accounts.RoleSystem {
		return Meter{}, apperr.Forbidden("Only vendor admins credit meters directly; mailers add funds with a card.")
	}
	if amount <= 0 || amount > MaxCredit {
		return Meter{}, apperr.Invalid("amount", "Enter an amount between $0.01 and $10,000,000.00.")
	}
	if transferID == "" {
		transferID = "ft_" + publicID()
	}
	// A retry of the same transfer changes nothing; the same ID for another
	// meter or amount is a different transfer and is refused, so a client's
	// mistake never looks like success.
	var doneMeter, doneAmount int64
	err := s.pool.QueryRow(ctx, `SELECT meter_id, amount FROM funds_transfers WHERE transfer_id = $1`, transferID).Scan(&doneMeter, &doneAmount)
	switch {
	case err == nil && doneMeter == meterID && doneAmount == amount:
		return s.Meter(ctx, accounts.System, meterID)
	case err == nil:
		return Meter{}, apperr.Conflict("transfer_id", fmt.Sprintf("Transfer ID %q was already used for a different credit (%s). Use a new transfer ID for a new credit.",
			transferID, fmt.Sprintf("$%d.%02d", doneAmount/100, doneAmount%100)))
	case !errors.Is(err, pgx.ErrNoRows):
		return Meter{}, fmt.Errorf("metering: check transfer: %w", err)
	}
	return s.apply(ctx, meterID, func(ctx context.Context, m Meter) (box.Record, []box.TxRecord, error) {
		rec, t, err := s.box.Credit(ctx, m.Record, amount, transferID)
		return rec, []box.TxRecord{t}, err
	}, func(tx pgx.Tx, m Meter, rec box.Record) error {
		return s.recordTransfer(ctx, tx, actor, m, amount, reason, transferID)
	})
}

// recordTransfer appends the transfer to the transaction box's chain.
func (s *Service) recordTransfer(ctx context.Context, tx pgx.Tx, actor accounts.User, m Meter, amount int64, reason, transferID string) error {
	// One chain for all transfers: serialize appends.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7411)`); err != nil {
		return fmt.Errorf("metering: lock transfer chain: %w", err)
	}
	var prev *box.SignedTx
	var p box.SignedTx
	err := tx.QueryRow(ctx, `SELECT tx_seq, tx_time, tx_payload, tx_prev, tx_hash, tx_sig FROM funds_transfers ORDER BY tx_seq DESC LIMIT 1`).
		Scan(&p.Seq, &p.Time, &p.Payload, &p.PrevHash, &p.Hash, &p.Signature)
	switch {
	case err == nil:
		p.Kind = "funds_transfer"
		prev = &p
	case !errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("metering: load transfer chain: %w", err)
	}
	now := s.now()
	payload, _ := json.Marshal(transferPayload{TransferID: transferID, Serial: m.Record.Serial, AccountID: m.Record.AccountID, Amount: amount, Reason: reason, At: now})
	signed, err := s.box.SignTransaction(ctx, "funds_transfer", payload, prev)
	if err != nil {
		return boxError(err)
	}
	var by any
	if actor.ID != 0 {
		by = actor.ID
	}
	_, err = tx.Exec(ctx, `INSERT INTO funds_transfers (transfer_id, meter_id, account_id, amount, reason, created_by, tx_seq, tx_time, tx_payload, tx_prev, tx_hash, tx_sig, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`, transferID, m.ID, m.Record.AccountID, amount, reason, by,
		signed.Seq, signed.Time, signed.Payload, signed.PrevHash, signed.Hash, signed.Signature, now)
	if err != nil {
		return fmt.Errorf("metering: store transfer: %w", err)
	}
	return nil
}
