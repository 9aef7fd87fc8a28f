package metering

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/db"
	"indicia/metering/box"
)

// DefaultVoidWindow is how long after purchase a mailer may void a label
// when Options.VoidWindow is zero (config VOID_WINDOW).
const DefaultVoidWindow = 30 * 24 * time.Hour

// Why a label was voided (indicia.void_reason).
const (
	VoidByMailer           = "voided by the mailer"
	VoidSubmittedForRefund = "submitted for refund"
)

// Voided is the outcome of a void: the label as it is now, the meter after
// the postage came back, and the funds transfer that carried it. The
// transfer is the hook for card refunds: a trickle-funded label's charge can
// be refunded from it later without touching the meter again.
type Voided struct {
	Label      Label
	Meter      Meter
	TransferID string
	Refunded   int64 // cents returned: to the meter's descending register, or to the card
	// ToCard is set for a label paid by a trickle charge: its postage goes back
	// to the card, not into the meter. CardPending says the card refund did not
	// go through yet (the payments reconciler retries it).
	ToCard      bool
	CardPending bool
}

// Querier runs one query, in a transaction or on the pool.
type Querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// CardRefunder is the payments side of a void (payments.Service): a label
// paid by a trickle charge is refunded to the card instead of the meter.
type CardRefunder interface {
	CardFunded(ctx context.Context, q Querier, labelPublicID string) (bool, error)
	RefundForVoid(ctx context.Context, labelPublicID string) (bool, error)
}

// SetCardRefunder connects payments after both services exist (payments needs metering).
func (s *Service) SetCardRefunder(r CardRefunder) { s.refunder = r }

// VoidTransferID is the funds-transfer id of a label's void credit: derived
// from the label, so a retried void can never credit twice.
func VoidTransferID(labelPublicID string) string { return "void_" + labelPublicID }

func (s *Service) voidWindow() time.Duration {
	if s.opt.VoidWindow > 0 {
		return s.opt.VoidWindow
	}
	return DefaultVoidWindow
}

// Void cancels an issued, unused label of the actor's account within the
// void window. The label becomes voided and its postage goes back to the
// meter as a new signed credit through the box, in the same transaction:
// the ascending register never goes down and AR + DR = total credited holds
// because the refund is a credit. A label postal staff scanned as used, or
// one already voided, is refused.
func (s *Service) Void(ctx context.Context, actor accounts.User, labelPublicID string) (Voided, error) {
	return s.void(ctx, actor, labelPublicID, VoidByMailer)
}

func (s *Service) void(ctx context.Context, actor accounts.User, labelPublicID, reason string) (Voided, error) {
	system := actor.Role == accounts.RoleSystem
	if !system && !actor.Can(accounts.PermBuyPostage) {
		return Voided{}, apperr.Forbidden("You do not have the \"Buy postage\" permission, which voiding needs.")
	}
	var meterID, acct int64
	err := s.pool.QueryRow(ctx, `SELECT meter_id, account_id FROM indicia WHERE public_id = $1`, labelPublicID).Scan(&meterID, &acct)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && !system && acct != actor.AccountID) {
		return Voided{}, apperr.NotFound("No such label.")
	}
	if err != nil {
		return Voided{}, fmt.Errorf("metering: find label to void: %w", err)
	}
	transferID := VoidTransferID(labelPublicID)
	var out Voided
	var tamper *box.TamperError
	err = db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
		// Meter first, then the label: the order purchases and verifications keep too.
		m, err := lockMeter(ctx, tx, meterID)
		if err != nil {
			return err
		}
		if m.TamperHold != "" {
			return errTamperHold(m)
		}
		var status string
		var postage int64
		var created time.Time
		var usedAt *time.Time
		if err := tx.QueryRow(ctx, `SELECT status, postage, created_at, used_at FROM indicia WHERE public_id = $1 FOR UPDATE`, labelPublicID).
			Scan(&status, &postage, &created, &usedAt); err != nil {
			return fmt.Errorf("metering: lock label %s: %w", labelPublicID, err)
		}
		now := s.now()
		switch {
		case status == "voided":
			return apperr.Conflict("label", "This label is already voided.")
		case usedAt != nil:
			return apperr.Conflict("label", "The Postal Service scanned this label as used on "+usedAt.UTC().Format("January 2, 2006")+"; it cannot be voided.")
		case !system && now.Sub(created) > s.voidWindow():
			return apperr.Conflict("label", fmt.Sprintf("Labels can be voided up to %d days after purchase; this one was bought on %s.",
				int(s.voidWindow().Hours()/24), created.UTC().Format("January 2, 2006")))
		}
		if s.refunder != nil {
			card, err := s.refunder.CardFunded(ctx, tx, labelPublicID)
			if err != nil {
				return fmt.Errorf("metering: funding of label %s: %w", labelPublicID, err)
			}
			if card {
				// Paid by card at print time: the postage goes back to the card after
				// commit; the meter's registers stay as they are (AR never decreases).
				if err := markVoided(ctx, tx, labelPublicID, now, reason); err != nil {
					return err
				}
				out = Voided{Meter: m, Refunded: postage, ToCard: true}
				return nil
			}
		}
		var credited bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS(SELECT 1 FROM funds_transfers WHERE transfer_id = $1)`, transferID).Scan(&credited); err != nil {
			return fmt.Errorf("metering: check void credit: %w", err)
		}
		if credited {
			// Cannot happen while the status update shares the transaction; refuse rather than credit twice.
			return apperr.Conflict("label", "This label's postage was already returned to the meter.")
		}
		rec, t, err := s.box.Credit(ctx, m.Record, postage, transferID)
		if err != nil {
			if errors.As(err, &tamper) {
				return err
			}
			return boxError(err)
		}
		if err := storeRecord(ctx, tx, m.ID, rec, now); err != nil {
			return err
		}
		if err := insertTxRecords(ctx, tx, m.ID, []box.TxRecord{t}); err != nil {
			return err
		}
		if err := s.recordTransfer(ctx, tx, actor, m, postage, CreditVoidRefund, transferID); err != nil {
			return err
		}
		if err := markVoided(ctx, tx, labelPublicID, now, reason); err != nil {
			return err
		}
		m.Record, m.UpdatedAt = rec, now
		out = Voided{Meter: m, TransferID: transferID, Refunded: postage}
		return nil
	})
	if tamper != nil {
		s.raiseTamper(ctx, meterID, tamper)
		return Voided{}, tamperRefusal()
	}
	if err != nil {
		return Voided{}, err
	}
	if out.ToCard {
		if _, err := s.refunder.RefundForVoid(ctx, labelPublicID); err != nil {
			// The void stands; the reconciler retries the card refund.
			slog.WarnContext(ctx, "metering: card refund of a voided label deferred", "label", labelPublicID, "err", err)
			out.CardPending = true
		}
	} else {
		s.commitBox(ctx, out.Meter.Record)
	}
	out.Label, err = scanLabel(s.pool.QueryRow(ctx, `SELECT `+labelColumns+` FROM indicia i JOIN meters m ON m.id = i.meter_id WHERE i.public_id = $1`, labelPublicID))
	if err != nil {
		return out, fmt.Errorf("metering: reload voided label: %w", err)
	}
	return out, nil
}

// RefundRun is what one scheduled refund submission did.
type RefundRun struct {
	Submitted int   `json:"submitted"`
	Refunded  int64 `json:"refunded"` // cents
	Failed    int   `json:"failed"`
}

// SubmitRefunds voids, as the system, every issued label whose date of
// mailing is more than olderThan ago and that postal staff never scanned
// ("submitted for refund"), at most limit of them. The mailer's void window
// does not apply: this is the refund path for labels nobody voided. A label
// that cannot be voided (its meter retired, say) is logged and skipped.
func (s *Service) SubmitRefunds(ctx context.Context, olderThan time.Duration, limit int, progress func(done, total int)) (RefundRun, error) {
	cutoff := s.now().Add(-olderThan)
	rows, err := s.pool.Query(ctx, `SELECT public_id FROM indicia WHERE status = 'issued' AND used_at IS NULL AND mailing_date < $1::date
		ORDER BY mailing_date, id LIMIT $2`, cutoff, limit)
	if err != nil {
		return RefundRun{}, fmt.Errorf("metering: find labels to refund: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return RefundRun{}, fmt.Errorf("metering: find labels to refund: %w", err)
	}
	var run RefundRun
	for i, id := range ids {
		if err := ctx.Err(); err != nil {
			return run, err
		}
		v, err := s.void(ctx, accounts.System, id, VoidSubmittedForRefund)
		if err != nil {
			run.Failed++
			slog.WarnContext(ctx, "metering: refund submission skipped a label", "label", id, "err", err)
		} else {
			run.Submitted++
			run.Refunded += v.Refunded
		}
		if progress != nil {
			progress(i+1, len(ids))
		}
	}
	return run, nil
}

// ClaimRefundDay records that the refund submission of day was scheduled; it
// returns false when another worker already claimed that day.
func (s *Service) ClaimRefundDay(ctx context.Context, day time.Time) (bool, error) {
	tag, err := s.pool.Exec(ctx, `INSERT INTO refund_runs (day, created_at) VALUES ($1::date, $2) ON CONFLICT (day) DO NOTHING`,
		day.UTC().Format("2006-01-02"), s.now())
	if err != nil {
		return false, fmt.Errorf("metering: claim refund day: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// SetRefundJob notes the job that runs a claimed day's submission.
func (s *Service) SetRefundJob(ctx context.Context, day time.Time, jobID int64) error {
	_, err := s.pool.Exec(ctx, `UPDATE refund_runs SET job_id = $2 WHERE day = $1::date`, day.UTC().Format("2006-01-02"), jobID)
	if err != nil {
		return fmt.Errorf("metering: note refund job: %w", err)
	}
	return nil
}

// auditVoids checks that every voided indicium has exactly one void credit
// of its postage, and that every void credit belongs to a voided indicium.
func (s *Service) auditVoids(ctx context.Context, rep *AuditReport) error {
	rows, err := s.pool.Query(ctx, `SELECT i.public_id, i.status, i.postage, count(f.id), coalesce(sum(f.amount), 0), coalesce(bool_and(f.meter_id = i.meter_id), true)
		FROM indicia i LEFT JOIN funds_transfers f ON f.transfer_id = 'void_' || i.public_id
		WHERE i.status = 'voided' OR f.id IS NOT NULL GROUP BY i.id ORDER BY i.id`)
	if err != nil {
		return fmt.Errorf("metering: audit voids: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, status string
		var postage, n, sum int64
		var sameMeter bool
		if err := rows.Scan(&id, &status, &postage, &n, &sum, &sameMeter); err != nil {
			return fmt.Errorf("metering: audit voids: %w", err)
		}
		if status == "voided" && n == 0 && s.refunder != nil {
			card, err := s.refunder.CardFunded(ctx, s.pool, id)
			if err != nil {
				return fmt.Errorf("metering: audit voids: %w", err)
			}
			if card {
				rep.Voided++ // refunded to the card; payments' ledger audit checks the refund
				continue
			}
		}
		switch {
		case status == "voided" && n != 1:
			rep.fail("label %s: voided with %d void credits, want exactly one", id, n)
		case status != "voided" && n > 0:
			rep.fail("label %s: not voided but its postage was credited back", id)
		case sum != postage:
			rep.fail("label %s: void credit of %d for postage %d", id, sum, postage)
		case !sameMeter:
			rep.fail("label %s: void credit went to another meter", id)
		}
		if status == "voided" {
			rep.Voided++
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var orphans int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM funds_transfers f WHERE f.reason = $1
		AND NOT EXISTS (SELECT 1 FROM indicia i WHERE f.transfer_id = 'void_' || i.public_id)`, CreditVoidRefund).Scan(&orphans); err != nil {
		return fmt.Errorf("metering: audit void credits: %w", err)
	}
	if orphans > 0 {
		rep.fail("%d void credits name no label", orphans)
	}
	return nil
}
