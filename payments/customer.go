package payments

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
)

// CardOnFile is an account's Stripe customer and saved card.
type CardOnFile struct {
	AccountID  int64
	CustomerID string
	Card
	Email string
}

// HasCard reports whether a card is saved.
func (c CardOnFile) HasCard() bool { return c.PaymentMethodID != "" }

func mailerOnly(actor accounts.User) error {
	if !actor.Role.IsMailer() || actor.AccountID == 0 {
		return apperr.Forbidden("Only a mailer account has a card on file.")
	}
	return nil
}

// fundsManager lets through the account's owner and its users granted
// "Manage funds": the card on file, funding modes, auto-refill and top-ups.
func fundsManager(actor accounts.User) error {
	if err := mailerOnly(actor); err != nil {
		return err
	}
	if !actor.Can(accounts.PermManageFunds) {
		return apperr.Forbidden("You do not have the \"" + accounts.PermManageFunds.Label() + "\" permission.")
	}
	return nil
}

// CardOf returns the account's card on file (zero if none).
func (s *Service) CardOf(ctx context.Context, actor accounts.User) (CardOnFile, error) {
	if err := mailerOnly(actor); err != nil {
		return CardOnFile{}, err
	}
	return s.cardOf(ctx, actor.AccountID)
}

func (s *Service) cardOf(ctx context.Context, accountID int64) (CardOnFile, error) {
	c := CardOnFile{AccountID: accountID}
	err := s.pool.QueryRow(ctx, `SELECT stripe_customer_id, payment_method_id, brand, last4, exp_month, exp_year, email
		FROM billing_customers WHERE account_id = $1`, accountID).
		Scan(&c.CustomerID, &c.PaymentMethodID, &c.Brand, &c.Last4, &c.ExpMonth, &c.ExpYear, &c.Email)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("payments: load card of account %d: %w", accountID, err)
	}
	return c, nil
}

// customer returns the account's Stripe customer, creating it once. Our
// idempotency key makes a concurrent or retried creation return the same one.
func (s *Service) customer(ctx context.Context, actor accounts.User) (CardOnFile, error) {
	c, err := s.cardOf(ctx, actor.AccountID)
	if err != nil || c.CustomerID != "" {
		return c, err
	}
	name, email, err := accounts.CompanyAndOwnerEmail(ctx, s.pool, actor.AccountID)
	if err != nil {
		return c, fmt.Errorf("payments: %w", err)
	}
	id, err := s.stripe.CreateCustomer(ctx, actor.AccountID, name, email, fmt.Sprintf("indicia-customer-%d", actor.AccountID))
	if err != nil {
		return c, unavailable(err)
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO billing_customers (account_id, stripe_customer_id, email, updated_at) VALUES ($1,$2,$3,$4)
		ON CONFLICT (account_id) DO NOTHING`, actor.AccountID, id, email, s.now()); err != nil {
		return c, fmt.Errorf("payments: store customer: %w", err)
	}
	return s.cardOf(ctx, actor.AccountID)
}

// StartCardSetup makes a SetupIntent for the Payment Element and returns its client secret.
func (s *Service) StartCardSetup(ctx context.Context, actor accounts.User) (string, error) {
	if err := fundsManager(actor); err != nil {
		return "", err
	}
	c, err := s.customer(ctx, actor)
	if err != nil {
		return "", err
	}
	_, secret, err := s.stripe.CreateSetupIntent(ctx, c.CustomerID)
	if err != nil {
		return "", unavailable(err)
	}
	return secret, nil
}

// FinishCardSetup saves the card a confirmed SetupIntent collected.
func (s *Service) FinishCardSetup(ctx context.Context, actor accounts.User, setupIntentID string) (CardOnFile, error) {
	if err := fundsManager(actor); err != nil {
		return CardOnFile{}, err
	}
	pm, err := s.stripe.SetupIntentPaymentMethod(ctx, setupIntentID)
	if err != nil {
		return CardOnFile{}, apperr.Invalid("card", "The card was not saved; please enter it again.")
	}
	return s.SaveCard(ctx, actor, pm)
}

// SaveCard attaches a payment method (in test mode, one of Stripe's test
// tokens such as pm_card_visa) as the account's card, replacing any other.
func (s *Service) SaveCard(ctx context.Context, actor accounts.User, paymentMethodID string) (CardOnFile, error) {
	if err := fundsManager(actor); err != nil {
		return CardOnFile{}, err
	}
	if paymentMethodID == "" {
		return CardOnFile{}, apperr.Invalid("payment_method", "Choose a card.")
	}
	c, err := s.customer(ctx, actor)
	if err != nil {
		return CardOnFile{}, err
	}
	card, err := s.stripe.AttachPaymentMethod(ctx, c.CustomerID, paymentMethodID)
	if err != nil {
		if errors.Is(err, ErrUnavailable) {
			return CardOnFile{}, unavailable(err)
		}
		return CardOnFile{}, apperr.Invalid("payment_method", "Stripe did not accept this card.")
	}
	if _, err := s.pool.Exec(ctx, `UPDATE billing_customers SET payment_method_id=$2, brand=$3, last4=$4, exp_month=$5, exp_year=$6, updated_at=$7
		WHERE account_id=$1`, actor.AccountID, card.PaymentMethodID, card.Brand, card.Last4, card.ExpMonth, card.ExpYear, s.now()); err != nil {
		return CardOnFile{}, fmt.Errorf("payments: store card: %w", err)
	}
	if old := c.PaymentMethodID; old != "" && old != card.PaymentMethodID {
		// The old card is no longer ours to charge; a failure here only leaves it listed at Stripe.
		_ = s.stripe.DetachPaymentMethod(ctx, old)
	}
	return s.cardOf(ctx, actor.AccountID)
}

// RemoveCard detaches the card. Trickle meters cannot buy until a new card is saved.
func (s *Service) RemoveCard(ctx context.Context, actor accounts.User) error {
	if err := fundsManager(actor); err != nil {
		return err
	}
	c, err := s.cardOf(ctx, actor.AccountID)
	if err != nil || !c.HasCard() {
		return err
	}
	if err := s.stripe.DetachPaymentMethod(ctx, c.PaymentMethodID); err != nil && errors.Is(err, ErrUnavailable) {
		return unavailable(err)
	}
	_, err = s.pool.Exec(ctx, `UPDATE billing_customers SET payment_method_id='', brand='', last4='', exp_month=0, exp_year=0, updated_at=$2
		WHERE account_id=$1`, actor.AccountID, s.now())
	if err != nil {
		return fmt.Errorf("payments: remove card: %w", err)
	}
	return nil
}

func unavailable(err error) error {
	return apperr.Unavailable("The card processor did not answer. Nothing was charged or dispensed; please try again.", err)
}
