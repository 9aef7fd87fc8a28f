package payments

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"indicia/payments/stripestub"
)

// DefaultStubAddr is where the stand-in listens when STRIPE_STUB_ADDR is empty.
const DefaultStubAddr = "127.0.0.1:12113"

// StandInKey is the secret key payments uses with the stand-in.
const StandInKey = "sk_test_indicia_stand_in"

// TestCard is one of Stripe's test payment methods the billing page offers in test mode.
type TestCard = stripestub.TestCard

// TestCards are Stripe's test payment methods (success, decline, insufficient funds, expired).
var TestCards = stripestub.TestCards

// OpenConfig is what OpenStripe is built from.
type OpenConfig struct {
	SecretKey, WebhookSecret, APIURL string
	BaseURL                          string // where the stand-in posts its webhooks
	VarDir                           string // the stand-in's state and webhook secret live under VarDir/stripe-stub
	StubAddr                         string // the stand-in's loopback address (DefaultStubAddr when empty)
}

// Setup is what OpenStripe decided.
type Setup struct {
	Stripe   *Stripe
	TestMode bool
	// StandIn is true when payments talks to the built-in stand-in at StubAddr
	// (no secret key and no API URL); serve starts it with ServeStandIn.
	StandIn       bool
	StubAddr      string
	WebhookSecret string
	cfg           OpenConfig
}

// OpenStripe builds the Stripe client from the configuration. With a secret
// key it talks to Stripe (or APIURL) and a live key must come with its
// webhook secret. Without one it is in test mode: it talks to APIURL if set
// (stripe-mock), else to the stand-in on its loopback address, and webhooks
// are signed with a random secret kept beside the stand-in's state, never a
// constant anyone could read.
func OpenStripe(c OpenConfig) (Setup, error) {
	st := Setup{TestMode: c.SecretKey == "" || strings.HasPrefix(c.SecretKey, "sk_test_"), WebhookSecret: c.WebhookSecret, cfg: c}
	if err := CheckKeys(c.SecretKey, c.WebhookSecret); err != nil {
		return Setup{}, err
	}
	key := c.SecretKey
	if key == "" {
		key = StandInKey
		if st.WebhookSecret == "" {
			s, err := StandInWebhookSecret(c.VarDir)
			if err != nil {
				return Setup{}, err
			}
			st.WebhookSecret = s
		}
		if c.APIURL == "" {
			st.StandIn = true
			st.StubAddr = c.StubAddr
			if st.StubAddr == "" {
				st.StubAddr = DefaultStubAddr
			}
			if err := loopbackOnly(st.StubAddr); err != nil {
				return Setup{}, err
			}
			c.APIURL = "http://" + st.StubAddr
		}
	}
	st.Stripe = NewStripe(StripeConfig{SecretKey: key, WebhookSecret: st.WebhookSecret, APIURL: c.APIURL})
	return st, nil
}

// CheckKeys refuses a live secret key without a webhook signing secret.
func CheckKeys(secretKey, webhookSecret string) error {
	if secretKey != "" && !strings.HasPrefix(secretKey, "sk_test_") && webhookSecret == "" {
		return errors.New("STRIPE_WEBHOOK_SECRET is required with a live STRIPE_SECRET_KEY: without it anyone could post events to /stripe/webhook (copy the endpoint's signing secret, whsec_..., from Stripe's dashboard)")
	}
	return nil
}

func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("STRIPE_STUB_ADDR %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("STRIPE_STUB_ADDR %q: the Stripe stand-in listens on a loopback address only", addr)
	}
	return nil
}

// StandInDir is where the stand-in keeps its state and webhook secret.
func StandInDir(varDir string) string { return filepath.Join(varDir, "stripe-stub") }

// StandInWebhookSecret reads the stand-in's webhook secret, creating a random
// one on first use; serve and `indicia stripe-stub` share it through the file.
func StandInWebhookSecret(varDir string) (string, error) {
	dir := StandInDir(varDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("stripe stand-in: %w", err)
	}
	path := filepath.Join(dir, "webhook-secret")
	for range 2 {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			return strings.TrimSpace(string(b)), nil
		} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("stripe stand-in: %w", err)
		}
		r := make([]byte, 24)
		rand.Read(r)
		tmp, err := os.CreateTemp(dir, "secret-*")
		if err != nil {
			return "", fmt.Errorf("stripe stand-in: %w", err)
		}
		tmp.WriteString("whsec_" + hex.EncodeToString(r))
		tmp.Close()
		// Link, not rename: of two processes starting at once, one secret wins.
		err = os.Link(tmp.Name(), path)
		os.Remove(tmp.Name())
		if err != nil && !errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("stripe stand-in: %w", err)
		}
	}
	return "", errors.New("stripe stand-in: could not create the webhook secret")
}

// OpenStandIn opens the stand-in with its state file under varDir, posting
// signed webhooks to baseURL's /stripe/webhook.
func OpenStandIn(varDir, baseURL, webhookSecret string) (*stripestub.Stub, error) {
	if err := os.MkdirAll(StandInDir(varDir), 0o700); err != nil {
		return nil, fmt.Errorf("stripe stand-in: %w", err)
	}
	return stripestub.Open(stripestub.Options{WebhookURL: strings.TrimRight(baseURL, "/") + "/stripe/webhook",
		WebhookSecret: webhookSecret, StateFile: filepath.Join(StandInDir(varDir), "state.jsonl")})
}

// ServeStandIn starts the stand-in on its loopback address, unless another
// process (an `indicia stripe-stub`, another serve) already listens there.
// stop closes it.
func (st Setup) ServeStandIn() (stop func(), err error) {
	if !st.StandIn {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", st.StubAddr)
	if errors.Is(err, syscall.EADDRINUSE) {
		slog.Info("stripe stand-in: another process serves it", "addr", st.StubAddr)
		return func() {}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("stripe stand-in: listen %s: %w", st.StubAddr, err)
	}
	stub, err := OpenStandIn(st.cfg.VarDir, st.cfg.BaseURL, st.WebhookSecret)
	if err != nil {
		ln.Close()
		return nil, err
	}
	srv := &http.Server{Handler: stub, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("stripe stand-in stopped", "err", err)
		}
	}()
	slog.Info("stripe stand-in serving on loopback", "addr", st.StubAddr)
	return func() { srv.Close(); stub.Close() }, nil
}

// EmailFunc adapts a send function (email.Func(sender)) to a Mailer.
type EmailFunc func(ctx context.Context, to, subject, body string) error

// Send implements Mailer.
func (f EmailFunc) Send(ctx context.Context, to, subject, body string) error {
	return f(ctx, to, subject, body)
}
