package payments_test

import (
	"context"
	"os"
	"testing"

	"indicia/payments"
)

// Every kind of request we send to Stripe is valid against Stripe's own API
// description, as stripe-mock (pinned in go.mod; scripts/services.sh starts it)
// checks it.
func TestEveryStripeCallAgainstStripeMock(t *testing.T) {
	url := os.Getenv("STRIPE_MOCK_URL")
	if url == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("STRIPE_MOCK_URL is not set in CI: run scripts/services.sh up test")
		}
		t.Skip("STRIPE_MOCK_URL not set (scripts/services.sh up test exports it)")
	}
	t.Parallel()
	st := payments.NewStripe(payments.StripeConfig{SecretKey: "sk_test_123", APIURL: url})
	ctx := context.Background()
	cus, err := st.CreateCustomer(ctx, 42, "Mae Co", "mae@example.com", "indicia-customer-42")
	if err != nil || cus == "" {
		t.Fatalf("create customer: %q %v", cus, err)
	}
	if _, secret, err := st.CreateSetupIntent(ctx, cus); err != nil || secret == "" {
		t.Errorf("create setup intent: %v", err)
	}
	// stripe-mock is stateless: its SetupIntent fixture is not succeeded, so only the request is checked.
	if _, err := st.SetupIntentPaymentMethod(ctx, "seti_123"); err != nil && !contains(err.Error(), "is requires_payment_method") {
		t.Errorf("get setup intent: %v", err)
	}
	card, err := st.AttachPaymentMethod(ctx, cus, "pm_card_visa")
	if err != nil || card.PaymentMethodID == "" {
		t.Fatalf("attach payment method: %+v %v", card, err)
	}
	if _, err := st.GetPaymentMethod(ctx, card.PaymentMethodID); err != nil {
		t.Errorf("get payment method: %v", err)
	}
	res, err := st.Charge(ctx, payments.ChargeRequest{Amount: 244, CustomerID: cus, PaymentMethodID: card.PaymentMethodID,
		Description: "Postage $2.34 + fee $0.10", IdempotencyKey: "indicia-ch_mock1", Metadata: map[string]string{"charge": "ch_mock1", "kind": "trickle"}})
	if err != nil || res.PaymentIntentID == "" {
		t.Fatalf("off-session PaymentIntent: %+v %v", res, err)
	}
	if _, _, err := st.GetPaymentIntent(ctx, res.PaymentIntentID); err != nil {
		t.Errorf("get payment intent: %v", err)
	}
	if _, err := st.Refund(ctx, res.PaymentIntentID, 78, "indicia-void-l_mock"); err != nil {
		t.Errorf("refund: %v", err)
	}
	if _, err := st.ListRefunds(ctx, res.PaymentIntentID); err != nil {
		t.Errorf("list refunds: %v", err)
	}
	if err := st.DetachPaymentMethod(ctx, card.PaymentMethodID); err != nil {
		t.Errorf("detach payment method: %v", err)
	}
}
