package payments

import (
	"context"
	"net/http"
	"strings"

	"indicia/payments/stripestub"
)

// StubPath is where serve mounts the Stripe stand-in when there is no secret key.
const StubPath = "/_stripe-stub"

// StubWebhookSecret signs the stand-in's webhooks when STRIPE_WEBHOOK_SECRET is empty.
const StubWebhookSecret = "whsec_indicia_stand_in"

// TestCard is one of Stripe's test payment methods the billing page offers in test mode.
type TestCard = stripestub.TestCard

// TestCards are Stripe's test payment methods (success, decline, insufficient funds, expired).
var TestCards = stripestub.TestCards

// Setup is what OpenStripe decided.
type Setup struct {
	Stripe   *Stripe
	TestMode bool
	// Stub is the stand-in to mount at StubPath (serve only, nil with a real key or an API URL).
	Stub          http.Handler
	WebhookSecret string
}

// OpenStripe builds the Stripe client from the configuration. With a secret
// key it talks to Stripe (or apiURL). Without one it is in test mode: it
// talks to apiURL if set (a shared `indicia stripe-stub`, stripe-mock), else
// to the stand-in that serve mounts at baseURL+StubPath (so serve and worker
// share one stand-in); stand is true for the process that should mount it.
func OpenStripe(secretKey, webhookSecret, apiURL, baseURL string, stand bool) Setup {
	st := Setup{TestMode: secretKey == "" || strings.HasPrefix(secretKey, "sk_test_"), WebhookSecret: webhookSecret}
	if secretKey == "" {
		secretKey = "sk_test_indicia_stand_in"
		if st.WebhookSecret == "" {
			st.WebhookSecret = StubWebhookSecret
		}
		if apiURL == "" {
			apiURL = strings.TrimRight(baseURL, "/") + StubPath
			if stand {
				st.Stub = http.StripPrefix(StubPath, stripestub.New(stripestub.Options{
					WebhookURL: strings.TrimRight(baseURL, "/") + "/stripe/webhook", WebhookSecret: st.WebhookSecret}))
			}
		}
	}
	st.Stripe = NewStripe(StripeConfig{SecretKey: secretKey, WebhookSecret: st.WebhookSecret, APIURL: apiURL})
	return st
}

// EmailFunc adapts a send function (email.Func(sender)) to a Mailer.
type EmailFunc func(ctx context.Context, to, subject, body string) error

// Send implements Mailer.
func (f EmailFunc) Send(ctx context.Context, to, subject, body string) error {
	return f(ctx, to, subject, body)
}
