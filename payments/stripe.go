package payments

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
	"github.com/stripe/stripe-go/v76/webhook"
)

// StripeConfig says where and how to reach Stripe.
type StripeConfig struct {
	SecretKey     string
	WebhookSecret string
	// APIURL overrides https://api.stripe.com (stripe-mock, the stand-in).
	APIURL  string
	Timeout time.Duration
}

// Stripe is the subset of Stripe's API we use, through stripe-go's client.API.
type Stripe struct {
	api           *client.API
	webhookSecret string
}

// NewStripe builds the client. Network retries are off: our reconciler retries
// with the same idempotency key, so a retry never doubles a charge.
func NewStripe(c StripeConfig) *Stripe {
	if c.Timeout == 0 {
		c.Timeout = 20 * time.Second
	}
	cfg := &stripe.BackendConfig{
		HTTPClient:        &http.Client{Timeout: c.Timeout},
		MaxNetworkRetries: stripe.Int64(0),
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull},
	}
	if c.APIURL != "" {
		cfg.URL = stripe.String(c.APIURL)
	}
	api := &client.API{}
	api.Init(c.SecretKey, &stripe.Backends{
		API:     stripe.GetBackendWithConfig(stripe.APIBackend, cfg),
		Connect: stripe.GetBackendWithConfig(stripe.ConnectBackend, cfg),
		Uploads: stripe.GetBackendWithConfig(stripe.UploadsBackend, cfg),
	})
	return &Stripe{api: api, webhookSecret: c.WebhookSecret}
}

func params(ctx context.Context, p *stripe.Params, idem string) {
	p.Context = ctx
	if idem != "" {
		p.IdempotencyKey = stripe.String(idem)
	}
}

// CreateCustomer makes the Stripe customer of a master account.
func (s *Stripe) CreateCustomer(ctx context.Context, accountID int64, name, email, idem string) (string, error) {
	p := &stripe.CustomerParams{Name: stripe.String(name), Email: stripe.String(email)}
	params(ctx, &p.Params, idem)
	p.AddMetadata("account_id", fmt.Sprint(accountID))
	c, err := s.api.Customers.New(p)
	if err != nil {
		return "", fmt.Errorf("payments: create customer: %w", err)
	}
	return c.ID, nil
}

// CreateSetupIntent starts saving a card for off-session use (the Payment Element).
func (s *Stripe) CreateSetupIntent(ctx context.Context, customerID string) (id, clientSecret string, err error) {
	p := &stripe.SetupIntentParams{Customer: stripe.String(customerID), Usage: stripe.String("off_session"),
		PaymentMethodTypes: stripe.StringSlice([]string{"card"})}
	params(ctx, &p.Params, "")
	si, err := s.api.SetupIntents.New(p)
	if err != nil {
		return "", "", fmt.Errorf("payments: create setup intent: %w", err)
	}
	return si.ID, si.ClientSecret, nil
}

// SetupIntentPaymentMethod returns the card a confirmed SetupIntent saved.
func (s *Stripe) SetupIntentPaymentMethod(ctx context.Context, setupIntentID string) (string, error) {
	p := &stripe.SetupIntentParams{}
	params(ctx, &p.Params, "")
	si, err := s.api.SetupIntents.Get(setupIntentID, p)
	if err != nil {
		return "", fmt.Errorf("payments: get setup intent: %w", err)
	}
	if si.Status != stripe.SetupIntentStatusSucceeded || si.PaymentMethod == nil {
		return "", fmt.Errorf("payments: setup intent %s is %s", si.ID, si.Status)
	}
	return si.PaymentMethod.ID, nil
}

// Card is the card on file as the billing page shows it.
type Card struct {
	PaymentMethodID string
	Brand, Last4    string
	ExpMonth        int
	ExpYear         int
}

// AttachPaymentMethod attaches a card to the customer and returns what it is.
func (s *Stripe) AttachPaymentMethod(ctx context.Context, customerID, pmID string) (Card, error) {
	p := &stripe.PaymentMethodAttachParams{Customer: stripe.String(customerID)}
	params(ctx, &p.Params, "")
	pm, err := s.api.PaymentMethods.Attach(pmID, p)
	if err != nil {
		return Card{}, fmt.Errorf("payments: attach payment method: %w", err)
	}
	return cardOf(pm), nil
}

// GetPaymentMethod reads a card.
func (s *Stripe) GetPaymentMethod(ctx context.Context, pmID string) (Card, error) {
	p := &stripe.PaymentMethodParams{}
	params(ctx, &p.Params, "")
	pm, err := s.api.PaymentMethods.Get(pmID, p)
	if err != nil {
		return Card{}, fmt.Errorf("payments: get payment method: %w", err)
	}
	return cardOf(pm), nil
}

// DetachPaymentMethod removes a card from its customer.
func (s *Stripe) DetachPaymentMethod(ctx context.Context, pmID string) error {
	p := &stripe.PaymentMethodDetachParams{}
	params(ctx, &p.Params, "")
	if _, err := s.api.PaymentMethods.Detach(pmID, p); err != nil {
		return fmt.Errorf("payments: detach payment method: %w", err)
	}
	return nil
}

func cardOf(pm *stripe.PaymentMethod) Card {
	c := Card{PaymentMethodID: pm.ID}
	if pm.Card != nil {
		c.Brand, c.Last4, c.ExpMonth, c.ExpYear = string(pm.Card.Brand), pm.Card.Last4, int(pm.Card.ExpMonth), int(pm.Card.ExpYear)
	}
	return c
}

// ChargeRequest is one off-session charge.
type ChargeRequest struct {
	Amount          int64
	CustomerID      string
	PaymentMethodID string
	Description     string
	IdempotencyKey  string
	Metadata        map[string]string
}

// ChargeResult is what Stripe decided.
type ChargeResult struct {
	PaymentIntentID string
	Succeeded       bool
	DeclineCode     string // set when the card was declined
	DeclineMessage  string
}

// ErrUnavailable marks a call whose outcome we do not know (network, timeout,
// Stripe 5xx): retry with the same idempotency key to learn it.
var ErrUnavailable = errors.New("payments: stripe unavailable")

// Charge creates and confirms a PaymentIntent off-session with our idempotency
// key. A decline is a result, not an error; an error is ErrUnavailable or a
// request we got wrong.
func (s *Stripe) Charge(ctx context.Context, r ChargeRequest) (ChargeResult, error) {
	p := &stripe.PaymentIntentParams{
		Amount: stripe.Int64(r.Amount), Currency: stripe.String(string(stripe.CurrencyUSD)),
		Customer: stripe.String(r.CustomerID), PaymentMethod: stripe.String(r.PaymentMethodID),
		Confirm: stripe.Bool(true), OffSession: stripe.Bool(true), Description: stripe.String(r.Description),
		PaymentMethodTypes: stripe.StringSlice([]string{"card"}),
	}
	params(ctx, &p.Params, r.IdempotencyKey)
	for k, v := range r.Metadata {
		p.AddMetadata(k, v)
	}
	pi, err := s.api.PaymentIntents.New(p)
	if err != nil {
		var se *stripe.Error
		if errors.As(err, &se) && se.Type == stripe.ErrorTypeCard {
			res := ChargeResult{DeclineCode: string(se.DeclineCode), DeclineMessage: se.Msg}
			if res.DeclineCode == "" {
				res.DeclineCode = string(se.Code)
			}
			if se.PaymentIntent != nil {
				res.PaymentIntentID = se.PaymentIntent.ID
			}
			return res, nil
		}
		return ChargeResult{}, classify("charge", err)
	}
	return ChargeResult{PaymentIntentID: pi.ID, Succeeded: pi.Status == stripe.PaymentIntentStatusSucceeded}, nil
}

// GetPaymentIntent reads a PaymentIntent's status.
func (s *Stripe) GetPaymentIntent(ctx context.Context, id string) (string, int64, error) {
	p := &stripe.PaymentIntentParams{}
	params(ctx, &p.Params, "")
	pi, err := s.api.PaymentIntents.Get(id, p)
	if err != nil {
		return "", 0, classify("get payment intent", err)
	}
	return string(pi.Status), pi.Amount, nil
}

// Refund returns amount of a PaymentIntent to the card, with our idempotency key.
func (s *Stripe) Refund(ctx context.Context, paymentIntentID string, amount int64, idem string) (string, error) {
	p := &stripe.RefundParams{PaymentIntent: stripe.String(paymentIntentID), Amount: stripe.Int64(amount)}
	params(ctx, &p.Params, idem)
	// The mark tells our refunds from ones made in Stripe's dashboard.
	p.AddMetadata(RefundMark, idem)
	r, err := s.api.Refunds.New(p)
	if err != nil {
		return "", classify("refund", err)
	}
	return r.ID, nil
}

// RefundMark is the metadata key Indicia sets on every refund it makes.
const RefundMark = "indicia_refund"

// StripeRefund is one refund of a PaymentIntent as Stripe reports it.
type StripeRefund struct {
	ID     string
	Amount int64
	Ours   bool // made by Indicia (carries RefundMark)
	Status string
}

// ListRefunds returns every refund of a PaymentIntent.
func (s *Stripe) ListRefunds(ctx context.Context, paymentIntentID string) ([]StripeRefund, error) {
	p := &stripe.RefundListParams{PaymentIntent: stripe.String(paymentIntentID)}
	p.Context = ctx
	var out []StripeRefund
	it := s.api.Refunds.List(p)
	for it.Next() {
		r := it.Refund()
		out = append(out, StripeRefund{ID: r.ID, Amount: r.Amount, Ours: r.Metadata[RefundMark] != "", Status: string(r.Status)})
	}
	if err := it.Err(); err != nil {
		return nil, classify("list refunds", err)
	}
	return out, nil
}

// classify turns transport failures and Stripe 5xx/429 into ErrUnavailable.
func classify(what string, err error) error {
	var se *stripe.Error
	if errors.As(err, &se) && se.HTTPStatusCode != 0 && se.HTTPStatusCode < 500 && se.HTTPStatusCode != 429 {
		return fmt.Errorf("payments: %s: %w", what, err)
	}
	return fmt.Errorf("payments: %s: %w: %v", what, ErrUnavailable, err)
}

// ParseWebhook checks Stripe's signature and decodes the event.
func (s *Stripe) ParseWebhook(payload []byte, sigHeader string) (stripe.Event, error) {
	if s.webhookSecret == "" {
		// stripe-go would accept any signature under an empty secret.
		return stripe.Event{}, errors.New("payments: webhook: no signing secret is configured")
	}
	ev, err := webhook.ConstructEventWithOptions(payload, sigHeader, s.webhookSecret, webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true})
	if err != nil {
		return stripe.Event{}, fmt.Errorf("payments: webhook: %w", err)
	}
	return ev, nil
}
