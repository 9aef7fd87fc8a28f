package payments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/db"
	"indicia/metering"
)

// Charge kinds.
const (
	KindTrickle = "trickle"
	KindTopUp   = "topup"
	KindRefill  = "refill"
)

// Charge statuses (the recovery points; see migrations/0050_payments.sql).
const (
	StatusStaged    = "staged"
	StatusUnknown   = "unknown"
	StatusCharged   = "charged"
	StatusCredited  = "credited"
	StatusDone      = "done"
	StatusDeclined  = "declined"
	StatusRefunding = "refunding"
	StatusRefunded  = "refunded"
)

// Charge is one card charge and where it stands.
type Charge struct {
	ID               int64
	PublicID         string
	AccountID        int64
	MeterID          int64
	UserID           int64
	Kind             string
	Status           string
	IdemKey          string
	Postage          int64
	Fee              int64
	Amount           int64
	CustomerID       string
	PaymentMethodID  string
	CardBrand        string
	CardLast4        string
	PaymentIntentID  string
	DeclineCode      string
	DeclineMessage   string
	Request          []byte
	PurchasePublicID string
	Refunded         int64
	Attempts         int
	LastError        string
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

const chargeColumns = `id, public_id, account_id, meter_id, coalesce(user_id, 0), kind, status, idem_key, postage, fee, amount, customer_id,
	payment_method_id, card_brand, card_last4, payment_intent_id, decline_code, decline_message, request, purchase_public_id, refunded,
	attempts, last_error, created_at, updated_at`

func scanCharge(r pgx.Row) (Charge, error) {
	var c Charge
	err := r.Scan(&c.ID, &c.PublicID, &c.AccountID, &c.MeterID, &c.UserID, &c.Kind, &c.Status, &c.IdemKey, &c.Postage, &c.Fee, &c.Amount,
		&c.CustomerID, &c.PaymentMethodID, &c.CardBrand, &c.CardLast4, &c.PaymentIntentID, &c.DeclineCode, &c.DeclineMessage, &c.Request,
		&c.PurchasePublicID, &c.Refunded, &c.Attempts, &c.LastError, &c.CreatedAt, &c.UpdatedAt)
	return c, err
}

// stage commits a new charge before any call to Stripe. With a client key, a
// retry finds the first charge instead (existing = true).
func (s *Service) stage(ctx context.Context, c Charge, clientKey string) (Charge, bool, error) {
	now := s.now()
	c.PublicID = "ch_" + publicID()
	c.IdemKey = "indicia-" + c.PublicID
	c.Status = StatusStaged
	var ck any
	if clientKey != "" {
		ck = clientKey
	}
	row := s.pool.QueryRow(ctx, `INSERT INTO charges (public_id, account_id, meter_id, user_id, kind, status, idem_key, client_key, postage, fee, amount,
		customer_id, payment_method_id, card_brand, card_last4, request, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$17)
		ON CONFLICT (account_id, client_key) DO NOTHING RETURNING `+chargeColumns,
		c.PublicID, c.AccountID, c.MeterID, nullID(c.UserID), c.Kind, c.Status, c.IdemKey, ck, c.Postage, c.Fee, c.Amount,
		c.CustomerID, c.PaymentMethodID, c.CardBrand, c.CardLast4, c.Request, now)
	staged, err := scanCharge(row)
	if err == nil {
		s.phase(staged.ID, StatusStaged)
		return staged, false, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return c, false, fmt.Errorf("payments: stage charge: %w", err)
	}
	first, err := scanCharge(s.pool.QueryRow(ctx, `SELECT `+chargeColumns+` FROM charges WHERE account_id = $1 AND client_key = $2`, c.AccountID, clientKey))
	if err != nil {
		return c, false, fmt.Errorf("payments: load charge by key: %w", err)
	}
	if first.Kind != c.Kind || first.MeterID != c.MeterID || first.Amount != c.Amount || string(first.Request) != string(c.Request) && !sameJSON(first.Request, c.Request) {
		return c, false, apperr.Conflict("idempotency_key", "This idempotency key was already used for a different request. Use a new key for a new purchase.")
	}
	return first, true, nil
}

func sameJSON(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	ja, _ := json.Marshal(x)
	jb, _ := json.Marshal(y)
	return string(ja) == string(jb)
}

// claim takes a charge's lease so that one process at a time drives it; a
// crashed holder's lease simply runs out.
func (s *Service) claim(ctx context.Context, id int64) (Charge, bool, error) {
	now := s.now()
	c, err := scanCharge(s.pool.QueryRow(ctx, `UPDATE charges SET lease_until = $2 WHERE id = $1 AND (lease_until IS NULL OR lease_until < $3)
		RETURNING `+chargeColumns, id, now.Add(90*time.Second), now))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("payments: claim charge %d: %w", id, err)
	}
	return c, true, nil
}

func (s *Service) release(id int64) {
	if _, err := s.pool.Exec(context.Background(), `UPDATE charges SET lease_until = NULL WHERE id = $1`, id); err != nil {
		slog.Warn("payments: release charge lease (it will expire)", "charge", id, "err", err)
	}
}

// update moves a charge to status (committing the recovery point) and returns it reloaded.
func (s *Service) update(ctx context.Context, tx pgx.Tx, c *Charge, status string, set string, args ...any) error {
	q := `UPDATE charges SET status = $2, updated_at = $3` + set + ` WHERE id = $1 RETURNING ` + chargeColumns
	a := append([]any{c.ID, status, s.now()}, args...)
	var row pgx.Row
	if tx != nil {
		row = tx.QueryRow(ctx, q, a...)
	} else {
		row = s.pool.QueryRow(ctx, q, a...)
	}
	n, err := scanCharge(row)
	if err != nil {
		return fmt.Errorf("payments: charge %s → %s: %w", c.PublicID, status, err)
	}
	*c = n
	return nil
}

func declineError(c Charge) error {
	msg := c.DeclineMessage
	if msg == "" {
		msg = "Your card was declined."
	}
	return &apperr.Error{Kind: apperr.KindPayment, Code: "card_declined", Field: "card",
		Message: fmt.Sprintf("%s (%s) Nothing was charged or dispensed. Use another card on the billing page, or try again.", msg, c.DeclineCode)}
}

// drive runs a charge from wherever it stands to the end: charge the card,
// credit the meter, dispense (trickle), or refund. Each step is committed
// before the next external call. refundIfCharged is the reconciler's choice
// for a charge whose mailer was told to try again.
func (s *Service) drive(ctx context.Context, actor accounts.User, c Charge, refundIfCharged bool) (Charge, error) {
	var failed error
	for {
		switch c.Status {
		case StatusStaged, StatusUnknown:
			res, err := s.stripe.Charge(ctx, ChargeRequest{Amount: c.Amount, CustomerID: c.CustomerID, PaymentMethodID: c.PaymentMethodID,
				Description: chargeDescription(c), IdempotencyKey: c.IdemKey,
				Metadata: map[string]string{"charge": c.PublicID, "meter_id": fmt.Sprint(c.MeterID), "kind": c.Kind}})
			s.phase(c.ID, "stripe_answered")
			if err != nil && !errors.Is(err, ErrUnavailable) {
				// Stripe refused the request itself (a card removed at Stripe, for one): nothing was charged.
				res = ChargeResult{DeclineCode: "processing_error", DeclineMessage: "The card could not be charged."}
				err = nil
			}
			if err != nil {
				if uerr := s.update(ctx, nil, &c, StatusUnknown, `, attempts = attempts + 1, last_error = $4`, err.Error()); uerr != nil {
					return c, uerr
				}
				return c, unavailable(err)
			}
			if !res.Succeeded {
				if err := s.update(ctx, nil, &c, StatusDeclined, `, attempts = attempts + 1, payment_intent_id = $4, decline_code = $5, decline_message = $6`,
					res.PaymentIntentID, res.DeclineCode, res.DeclineMessage); err != nil {
					return c, err
				}
				s.phase(c.ID, c.Status)
				return c, declineError(c)
			}
			next := StatusCharged
			if refundIfCharged {
				next = StatusRefunding
			}
			err = db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
				if err := s.update(ctx, tx, &c, next, `, attempts = attempts + 1, payment_intent_id = $4, last_error = ''`, res.PaymentIntentID); err != nil {
					return err
				}
				return postTransfer(ctx, tx, "charge:"+c.PublicID, "charge", c.MeterID, c.ID,
					Entry{AccCardClearing, -c.Amount}, Entry{accCustomer(c.AccountID), c.Amount - c.Fee}, Entry{AccVendorFees, c.Fee})
			})
			if err != nil {
				return c, err
			}
			s.phase(c.ID, c.Status)
		case StatusCharged:
			amount, reason, next := c.Amount, metering.CreditPayment, StatusDone
			if c.Kind == KindTrickle {
				amount, reason, next = c.Postage, metering.CreditTrickle, StatusCredited
			}
			if _, err := s.met.Credit(ctx, accounts.System, c.MeterID, amount, reason, c.PaymentIntentID); err != nil {
				if apperr.KindOf(err) == apperr.KindUnavailable || apperr.KindOf(err) == apperr.KindInternal {
					s.update(ctx, nil, &c, c.Status, `, last_error = $4`, err.Error())
					return c, err
				}
				// The meter refused the funds (suspended, tamper hold): the card gets its money back.
				failed = err
				if err := s.update(ctx, nil, &c, StatusRefunding, `, last_error = $4`, err.Error()); err != nil {
					return c, err
				}
				continue
			}
			if err := s.update(ctx, nil, &c, next, ``); err != nil {
				return c, err
			}
			s.phase(c.ID, c.Status)
		case StatusCredited:
			var req metering.PurchaseRequest
			if err := json.Unmarshal(c.Request, &req); err != nil {
				return c, fmt.Errorf("payments: charge %s request: %w", c.PublicID, err)
			}
			req.MeterID, req.IdempotencyKey = c.MeterID, "trickle:"+c.PublicID
			buyer := actor
			if buyer.AccountID != c.AccountID || !buyer.Can(accounts.PermBuyPostage) {
				// The reconciler finishes on behalf of the mailer who asked.
				buyer = accounts.User{ID: c.UserID, AccountID: c.AccountID, Role: accounts.RoleOwner}
			}
			p, err := s.met.Purchase(ctx, buyer, req)
			if err != nil {
				s.update(ctx, nil, &c, c.Status, `, attempts = attempts + 1, last_error = $4`, err.Error())
				if k := apperr.KindOf(err); k != apperr.KindUnavailable && k != apperr.KindInternal {
					s.alert(ctx, c, "stranded", fmt.Sprintf("Trickle charge %s is paid and in meter %d but the meter refused to dispense: %v", c.PublicID, c.MeterID, err))
				}
				return c, err
			}
			if err := s.update(ctx, nil, &c, StatusDone, `, purchase_public_id = $4, last_error = ''`, p.PublicID); err != nil {
				return c, err
			}
			s.phase(c.ID, c.Status)
		case StatusRefunding:
			owed := c.Amount - c.Refunded
			rid, err := s.stripe.Refund(ctx, c.PaymentIntentID, owed, "indicia-refund-"+c.PublicID)
			if err != nil {
				s.update(ctx, nil, &c, c.Status, `, last_error = $4`, err.Error())
				return c, unavailable(err)
			}
			err = db.Transact(ctx, s.pool, func(tx pgx.Tx) error {
				if _, err := tx.Exec(ctx, `INSERT INTO refunds (charge_id, amount, reason, idem_key, stripe_refund_id, status, created_at)
					VALUES ($1,$2,'unfinished','indicia-refund-'||$3,$4,'succeeded',$5)`, c.ID, owed, c.PublicID, rid, s.now()); err != nil {
					return fmt.Errorf("payments: store refund: %w", err)
				}
				if err := s.update(ctx, tx, &c, StatusRefunded, `, refunded = refunded + $4`, owed); err != nil {
					return err
				}
				return postTransfer(ctx, tx, "refund:"+c.PublicID, "refund", c.MeterID, c.ID,
					Entry{AccCardClearing, owed}, Entry{accCustomer(c.AccountID), -(c.Amount - c.Fee)}, Entry{AccVendorFees, -c.Fee})
			})
			if err != nil {
				return c, err
			}
			s.phase(c.ID, c.Status)
			if failed == nil {
				failed = apperr.Unavailable("The purchase could not be finished, so the charge was refunded to your card. Nothing was dispensed; please try again.", nil)
			}
			return c, failed
		case StatusDeclined:
			return c, declineError(c)
		default: // done, refunded
			return c, failed
		}
	}
}

func chargeDescription(c Charge) string {
	switch c.Kind {
	case KindTrickle:
		return fmt.Sprintf("Postage %s + fee %s (meter %d)", money(c.Postage), money(c.Fee), c.MeterID)
	case KindRefill:
		return fmt.Sprintf("Auto-refill of meter %d", c.MeterID)
	}
	return fmt.Sprintf("Top-up of meter %d", c.MeterID)
}

// alert records something a vendor admin must look at and emails them.
func (s *Service) alert(ctx context.Context, c Charge, kind, detail string) {
	if _, err := s.pool.Exec(ctx, `INSERT INTO payment_alerts (account_id, meter_id, charge_id, kind, detail, created_at) VALUES ($1,$2,$3,$4,$5,$6)`,
		nullID(c.AccountID), nullID(c.MeterID), nullID(c.ID), kind, detail, s.now()); err != nil {
		slog.ErrorContext(ctx, "payments: store alert", "kind", kind, "detail", detail, "err", err)
	}
	slog.WarnContext(ctx, "payments: admin alert", "kind", kind, "detail", detail)
	to := []string{}
	if s.opt.AdminEmail != "" {
		to = append(to, s.opt.AdminEmail)
	} else if admins, err := accounts.AdminEmails(ctx, s.pool); err == nil {
		to = admins
	}
	for _, addr := range to {
		s.send(ctx, addr, "Indicia payments alert: "+kind, detail)
	}
}

// ChargeByID returns one charge the actor may see (receipts).
func (s *Service) ChargeByID(ctx context.Context, actor accounts.User, publicID string) (Charge, error) {
	c, err := scanCharge(s.pool.QueryRow(ctx, `SELECT `+chargeColumns+` FROM charges WHERE public_id = $1`, publicID))
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && actor.Role.IsMailer() && actor.AccountID != c.AccountID) ||
		(err == nil && !actor.Role.IsMailer() && actor.Role != accounts.RoleAdmin) {
		return Charge{}, apperr.NotFound("No such charge.")
	}
	if err != nil {
		return Charge{}, fmt.Errorf("payments: load charge %s: %w", publicID, err)
	}
	return c, nil
}

// Charges lists the account's charges, newest first.
func (s *Service) Charges(ctx context.Context, actor accounts.User, limit int) ([]Charge, error) {
	if err := mailerOnly(actor); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT `+chargeColumns+` FROM charges WHERE account_id = $1 ORDER BY id DESC LIMIT $2`, actor.AccountID, limit)
	if err != nil {
		return nil, fmt.Errorf("payments: list charges: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Charge, error) { return scanCharge(r) })
}
