package payments_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"

	"indicia/payments"
)

func TestLiveKeyWithoutWebhookSecretIsRefused(t *testing.T) {
	_, err := payments.OpenStripe(payments.OpenConfig{SecretKey: "sk_live_x", VarDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "STRIPE_WEBHOOK_SECRET is required") {
		t.Fatalf("live key, no webhook secret: %v, want a startup error naming STRIPE_WEBHOOK_SECRET", err)
	}
	st, err := payments.OpenStripe(payments.OpenConfig{SecretKey: "sk_live_x", WebhookSecret: "whsec_x", VarDir: t.TempDir()})
	if err != nil || st.TestMode || st.StandIn {
		t.Errorf("live key with its secret: %+v %v", st, err)
	}
}

func freeLoopback(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// Without a key the stand-in listens on loopback only, signs webhooks with a
// random secret kept in INDICIA_VAR, and keeps its state across a restart.
func TestStandInIsLoopbackOnlyAndKeepsItsState(t *testing.T) {
	if _, err := payments.OpenStripe(payments.OpenConfig{VarDir: t.TempDir(), StubAddr: "0.0.0.0:12113"}); err == nil {
		t.Error("the stand-in accepted a public address")
	}
	dir, addr := t.TempDir(), freeLoopback(t)
	open := func() payments.Setup {
		st, err := payments.OpenStripe(payments.OpenConfig{VarDir: dir, StubAddr: addr, BaseURL: "http://127.0.0.1:1"})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	st := open()
	if !st.TestMode || !st.StandIn || st.WebhookSecret == "" || st.WebhookSecret == "whsec_indicia_stand_in" {
		t.Fatalf("no key: test mode %v, stand-in %v, secret %q", st.TestMode, st.StandIn, st.WebhookSecret)
	}
	stop, err := st.ServeStandIn()
	if err != nil {
		t.Fatal(err)
	}
	ctx0 := context.Background()
	cus, err := st.Stripe.CreateCustomer(ctx0, 1, "Mae Co", "mae@example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	card, err := st.Stripe.AttachPaymentMethod(ctx0, cus, "pm_card_visa")
	if err != nil {
		t.Fatal(err)
	}
	// A stranger with a live-looking key gets nothing.
	req, _ := http.NewRequest("POST", "http://"+addr+"/v1/customers", strings.NewReader("name=x"))
	req.Header.Set("Authorization", "Bearer sk_live_anything")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a non-test key: %v %v, want 401", resp, err)
	}
	stop()
	http.DefaultClient.CloseIdleConnections()

	st2 := open()
	if st2.WebhookSecret != st.WebhookSecret {
		t.Error("the webhook secret changed across a restart")
	}
	stop2, err := st2.ServeStandIn()
	if err != nil {
		t.Fatal(err)
	}
	defer stop2()
	got, err := st2.Stripe.GetPaymentMethod(ctx0, card.PaymentMethodID)
	if err != nil || got.Last4 != "4242" {
		t.Fatalf("the card saved before the restart: %+v %v", got, err)
	}
	res, err := st2.Stripe.Charge(ctx0, payments.ChargeRequest{Amount: 1000, CustomerID: cus, PaymentMethodID: card.PaymentMethodID, IdempotencyKey: "k1"})
	if err != nil || res.PaymentIntentID == "" {
		t.Fatalf("charging the card after a restart: %+v %v", res, err)
	}
}
