package stripestub

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"
)

// APIVersion is the version stripe-go v76 expects on events.
const APIVersion = "2023-10-16"

// Options configure the stand-in.
type Options struct {
	// WebhookURL, when set, receives every event, signed with WebhookSecret.
	WebhookURL    string
	WebhookSecret string
	// StateFile, when set, keeps the stand-in's objects across restarts: every
	// request that changes something appends a line, and New replays them.
	StateFile string
}

// TestCard is one of Stripe's test payment methods.
type TestCard struct {
	Token, Label, Brand, Last4 string
	DeclineCode, Message       string
}

// TestCards are the test payment methods the stand-in knows, as Stripe names them.
var TestCards = []TestCard{
	{"pm_card_visa", "Visa — succeeds", "visa", "4242", "", ""},
	{"pm_card_chargeDeclined", "Visa — declined", "visa", "0002", "generic_decline", "Your card was declined."},
	{"pm_card_chargeDeclinedInsufficientFunds", "Visa — insufficient funds", "visa", "9995", "insufficient_funds", "Your card has insufficient funds."},
	{"pm_card_chargeDeclinedExpiredCard", "Visa — expired card", "visa", "0069", "expired_card", "Your card has expired."},
}

type obj = map[string]any

type cached struct {
	status int
	body   []byte
}

// Stub is the stand-in; it is an http.Handler.
type Stub struct {
	opt Options

	mu        sync.Mutex
	objects   map[string]obj
	idem      map[string]cached
	cards     map[string]TestCard // payment method id -> test card
	failNext  int                 // answer 503 without doing anything
	failAfter int                 // do the work, then answer 500 (outcome unknown to the caller)
	charges   int
	Events    []obj // every event emitted, oldest first
	dirty     map[string]bool
	state     *os.File
}

// New builds a stand-in.
func New(opt Options) *Stub {
	return &Stub{opt: opt, objects: map[string]obj{}, idem: map[string]cached{}, cards: map[string]TestCard{}, dirty: map[string]bool{}}
}

// Open builds a stand-in whose state lives in opt.StateFile, reading what an
// earlier process left there.
func Open(opt Options) (*Stub, error) {
	s := New(opt)
	if opt.StateFile == "" {
		return s, nil
	}
	if err := s.load(); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(opt.StateFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("stripestub: open state: %w", err)
	}
	s.state = f
	return s, nil
}

// Close closes the state file.
func (s *Stub) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == nil {
		return nil
	}
	err := s.state.Close()
	s.state = nil
	return err
}

// FailNext makes the next n API requests fail with 503 before doing anything.
func (s *Stub) FailNext(n int) { s.mu.Lock(); s.failNext = n; s.mu.Unlock() }

// FailAfterNext makes the next n API requests do their work and then answer
// 500, as a timeout after Stripe acted would look.
func (s *Stub) FailAfterNext(n int) { s.mu.Lock(); s.failAfter = n; s.mu.Unlock() }

// SucceededCharges counts PaymentIntents that succeeded (each once, whatever the retries).
func (s *Stub) SucceededCharges() int { s.mu.Lock(); defer s.mu.Unlock(); return s.charges }

// Object returns a copy of a stored object (pi_..., re_..., cus_...).
func (s *Stub) Object(id string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.objects[id]
	if o == nil {
		return nil
	}
	b, _ := json.Marshal(o)
	var c map[string]any
	json.Unmarshal(b, &c)
	return c
}

func newID(prefix string) string {
	b := make([]byte, 12)
	rand.Read(b)
	return prefix + "_" + hex.EncodeToString(b)
}

func (s *Stub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/_stub/dispute" && r.Method == http.MethodPost {
		// For `make run`: open a dispute on a PaymentIntent (?payment_intent=pi_...).
		if _, err := s.Dispute(r.URL.Query().Get("payment_intent")); err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if r.URL.Path == "/_stub/refund" && r.Method == http.MethodPost {
		// For `make run`: a refund made in Stripe's dashboard (?payment_intent=pi_...&amount=cents).
		amount, _ := strconv.ParseInt(r.URL.Query().Get("amount"), 10, 64)
		if _, err := s.RefundOutside(r.URL.Query().Get("payment_intent"), amount); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	// Only a test key: the stand-in never acts on a live key's behalf.
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer sk_test_") {
		writeErr(w, http.StatusUnauthorized, "invalid_request_error", "", "", "Invalid API Key provided.")
		return
	}
	if err := r.ParseForm(); err != nil {
		writeErr(w, http.StatusBadRequest, "invalid_request_error", "", "", "Malformed form body.")
		return
	}
	key := r.Header.Get("Idempotency-Key")
	s.mu.Lock()
	if s.failNext > 0 {
		s.failNext--
		s.mu.Unlock()
		writeErr(w, http.StatusServiceUnavailable, "api_error", "", "", "Stripe is unavailable (stand-in outage).")
		return
	}
	if key != "" && r.Method == http.MethodPost {
		if c, ok := s.idem[r.URL.Path+"|"+key]; ok {
			s.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(c.status)
			w.Write(c.body)
			return
		}
	}
	status, body, events := s.safeRoute(r)
	b, _ := json.Marshal(body)
	var idem *stateIdem
	if key != "" && r.Method == http.MethodPost && status < 500 {
		s.idem[r.URL.Path+"|"+key] = cached{status, b}
		idem = &stateIdem{Key: r.URL.Path + "|" + key, Status: status, Body: b}
	}
	s.persist(idem)
	failAfter := s.failAfter > 0
	if failAfter {
		s.failAfter--
	}
	s.mu.Unlock()
	for _, ev := range events {
		s.emit(ev)
	}
	if failAfter {
		writeErr(w, http.StatusInternalServerError, "api_error", "", "", "Stripe had a problem after acting (stand-in).")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

func writeErr(w http.ResponseWriter, status int, typ, code, decline, msg string) {
	e := obj{"type": typ, "message": msg}
	if code != "" {
		e["code"] = code
	}
	if decline != "" {
		e["decline_code"] = decline
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(obj{"error": e})
}

func errBody(typ, code, msg string) obj {
	return obj{"error": obj{"type": typ, "code": code, "message": msg}}
}

func notFound(id string) (int, any, []obj) {
	return http.StatusNotFound, errBody("invalid_request_error", "resource_missing", fmt.Sprintf("No such object: '%s'", id)), nil
}

func metadata(f url.Values) obj {
	m := obj{}
	for k, v := range f {
		if strings.HasPrefix(k, "metadata[") && strings.HasSuffix(k, "]") {
			m[k[len("metadata["):len(k)-1]] = v[0]
		}
	}
	return m
}

// route does the work of one request; s.mu is held.
func (s *Stub) route(r *http.Request) (int, any, []obj) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) < 2 || parts[0] != "v1" {
		return http.StatusNotFound, errBody("invalid_request_error", "", "Unrecognized request URL."), nil
	}
	f := r.Form
	now := time.Now().Unix()
	post := r.Method == http.MethodPost
	switch {
	case parts[1] == "customers" && len(parts) == 2 && post:
		c := obj{"id": newID("cus"), "object": "customer", "name": f.Get("name"), "email": f.Get("email"), "metadata": metadata(f), "created": now, "livemode": false}
		s.put(c["id"].(string), c)
		return 200, c, nil
	case parts[1] == "setup_intents" && len(parts) == 2 && post:
		id := newID("seti")
		si := obj{"id": id, "object": "setup_intent", "client_secret": id + "_secret_" + newID("x")[2:], "customer": f.Get("customer"),
			"status": "requires_payment_method", "usage": "off_session", "payment_method": nil, "payment_method_types": []string{"card"}, "created": now, "livemode": false}
		s.put(id, si)
		return 200, si, nil
	case parts[1] == "setup_intents" && len(parts) == 4 && parts[3] == "confirm" && post:
		si := s.objects[parts[2]]
		if si == nil {
			return notFound(parts[2])
		}
		pm, status, body := s.attach(f.Get("payment_method"), si["customer"].(string))
		if pm == nil {
			return status, body, nil
		}
		si["status"], si["payment_method"] = "succeeded", pm["id"]
		s.dirty[parts[2]] = true
		return 200, si, nil
	case parts[1] == "setup_intents" && len(parts) == 3 && !post:
		if si := s.objects[parts[2]]; si != nil {
			return 200, si, nil
		}
		return notFound(parts[2])
	case parts[1] == "payment_methods" && len(parts) == 4 && parts[3] == "attach" && post:
		pm, status, body := s.attach(parts[2], f.Get("customer"))
		if pm == nil {
			return status, body, nil
		}
		return 200, pm, nil
	case parts[1] == "payment_methods" && len(parts) == 4 && parts[3] == "detach" && post:
		pm := s.objects[parts[2]]
		if pm == nil {
			return notFound(parts[2])
		}
		pm["customer"] = nil
		s.dirty[parts[2]] = true
		return 200, pm, nil
	case parts[1] == "payment_methods" && len(parts) == 3 && !post:
		if pm := s.objects[parts[2]]; pm != nil {
			return 200, pm, nil
		}
		return notFound(parts[2])
	case parts[1] == "payment_intents" && len(parts) == 2 && post:
		return s.createPaymentIntent(f, now)
	case parts[1] == "payment_intents" && len(parts) == 3 && !post:
		if pi := s.objects[parts[2]]; pi != nil {
			return 200, pi, nil
		}
		return notFound(parts[2])
	case parts[1] == "refunds" && len(parts) == 2 && post:
		return s.refund(f, now)
	case parts[1] == "refunds" && len(parts) == 2 && !post:
		// Only the filter payments uses: the refunds of one PaymentIntent.
		data := []obj{}
		for _, o := range s.objects {
			if o["object"] == "refund" && o["payment_intent"] == f.Get("payment_intent") {
				data = append(data, o)
			}
		}
		return 200, obj{"object": "list", "data": data, "has_more": false, "url": "/v1/refunds"}, nil
	}
	return http.StatusNotFound, errBody("invalid_request_error", "", "Unrecognized request URL ("+r.Method+" "+r.URL.Path+")."), nil
}

// attach turns a test token (or an existing card) into a card of the customer.
func (s *Stub) attach(pmID, customer string) (obj, int, any) {
	if s.objects[customer] == nil {
		st, b, _ := notFound(customer)
		return nil, st, b
	}
	if pm := s.objects[pmID]; pm != nil {
		pm["customer"] = customer
		s.dirty[pmID] = true
		return pm, 200, nil
	}
	for _, tc := range TestCards {
		if tc.Token == pmID {
			id := newID("pm")
			pm := obj{"id": id, "object": "payment_method", "type": "card", "customer": customer, "created": time.Now().Unix(), "livemode": false,
				"card":            obj{"brand": tc.Brand, "last4": tc.Last4, "exp_month": 12, "exp_year": time.Now().Year() + 3, "funding": "credit", "country": "US"},
				"billing_details": obj{}, "metadata": obj{}}
			s.put(id, pm)
			s.cards[id] = tc
			return pm, 200, nil
		}
	}
	st, b, _ := notFound(pmID)
	return nil, st, b
}

func (s *Stub) createPaymentIntent(f url.Values, now int64) (int, any, []obj) {
	amount, err := strconv.ParseInt(f.Get("amount"), 10, 64)
	if err != nil || amount < 50 {
		return 400, errBody("invalid_request_error", "amount_too_small", "Amount must be at least $0.50 usd"), nil
	}
	if f.Get("currency") != "usd" {
		return 400, errBody("invalid_request_error", "parameter_invalid", "Invalid currency."), nil
	}
	pmID := f.Get("payment_method")
	pm := s.objects[pmID]
	if pm == nil {
		return notFound(pmID)
	}
	if c := f.Get("customer"); c != "" && pm["customer"] != c {
		return 400, errBody("invalid_request_error", "parameter_invalid", "The payment method does not belong to this customer."), nil
	}
	id := newID("pi")
	pi := obj{"id": id, "object": "payment_intent", "amount": amount, "amount_received": 0, "currency": "usd", "customer": f.Get("customer"),
		"payment_method": pmID, "description": f.Get("description"), "metadata": metadata(f), "created": now, "livemode": false,
		"status": "requires_confirmation", "payment_method_types": []string{"card"}}
	s.put(id, pi)
	if f.Get("confirm") != "true" {
		return 200, pi, nil
	}
	tc := s.cards[pmID]
	if tc.DeclineCode != "" {
		pi["status"] = "requires_payment_method"
		pi["last_payment_error"] = obj{"type": "card_error", "code": "card_declined", "decline_code": tc.DeclineCode, "message": tc.Message}
		body := obj{"error": obj{"type": "card_error", "code": "card_declined", "decline_code": tc.DeclineCode, "message": tc.Message, "payment_intent": pi}}
		return 402, body, []obj{s.event("payment_intent.payment_failed", pi)}
	}
	ch := newID("ch")
	pi["status"], pi["amount_received"], pi["latest_charge"] = "succeeded", amount, ch
	s.put(ch, obj{"id": ch, "object": "charge", "amount": amount, "amount_refunded": int64(0), "payment_intent": id, "refunded": false, "currency": "usd", "paid": true, "status": "succeeded"})
	s.charges++
	return 200, pi, []obj{s.event("payment_intent.succeeded", pi)}
}

func (s *Stub) refund(f url.Values, now int64) (int, any, []obj) {
	piID := f.Get("payment_intent")
	pi := s.objects[piID]
	if pi == nil {
		return notFound(piID)
	}
	if pi["status"] != "succeeded" {
		return 400, errBody("invalid_request_error", "charge_not_refundable", "This PaymentIntent has no successful charge to refund."), nil
	}
	ch := s.objects[pi["latest_charge"].(string)]
	total := asInt(pi["amount"])
	refunded := asInt(ch["amount_refunded"])
	amount := total - refunded
	if a := f.Get("amount"); a != "" {
		amount, _ = strconv.ParseInt(a, 10, 64)
	}
	if amount <= 0 || refunded+amount > total {
		return 400, errBody("invalid_request_error", "amount_too_large", "Refund amount is greater than the unrefunded amount."), nil
	}
	ch["amount_refunded"] = refunded + amount
	ch["refunded"] = refunded+amount == total
	s.dirty[ch["id"].(string)] = true
	re := obj{"id": newID("re"), "object": "refund", "amount": amount, "currency": "usd", "payment_intent": piID, "charge": ch["id"], "status": "succeeded", "created": now,
		"metadata": metadata(f)}
	s.put(re["id"].(string), re)
	return 200, re, []obj{s.event("charge.refunded", ch)}
}

// RefundOutside refunds amount cents of a PaymentIntent (all that is left
// when amount is 0) as Stripe's dashboard would: no metadata of ours.
func (s *Stub) RefundOutside(piID string, amount int64) (map[string]any, error) {
	f := url.Values{"payment_intent": {piID}}
	if amount > 0 {
		f.Set("amount", strconv.FormatInt(amount, 10))
	}
	s.mu.Lock()
	status, body, events := s.refund(f, time.Now().Unix())
	s.persist(nil)
	s.mu.Unlock()
	if status != 200 {
		return nil, fmt.Errorf("stripestub: refund %s: %v", piID, body)
	}
	for _, ev := range events {
		s.emit(ev)
	}
	return events[0], nil
}

// Dispute opens a dispute on a succeeded PaymentIntent and emits charge.dispute.created.
func (s *Stub) Dispute(piID string) (map[string]any, error) {
	s.mu.Lock()
	pi := s.objects[piID]
	if pi == nil || pi["status"] != "succeeded" {
		s.mu.Unlock()
		return nil, fmt.Errorf("stripestub: no succeeded payment intent %q", piID)
	}
	d := obj{"id": newID("dp"), "object": "dispute", "amount": pi["amount"], "currency": "usd", "charge": pi["latest_charge"], "payment_intent": piID,
		"reason": "fraudulent", "status": "needs_response", "created": time.Now().Unix(), "livemode": false}
	s.put(d["id"].(string), d)
	s.persist(nil)
	ev := s.event("charge.dispute.created", d)
	s.mu.Unlock()
	s.emit(ev)
	return ev, nil
}

// event builds an event around a snapshot of o; s.mu is held.
func (s *Stub) event(typ string, o obj) obj {
	b, _ := json.Marshal(o)
	var snap obj
	json.Unmarshal(b, &snap)
	ev := obj{"id": newID("evt"), "object": "event", "api_version": APIVersion, "created": time.Now().Unix(), "type": typ,
		"livemode": false, "pending_webhooks": 1, "data": obj{"object": snap}, "request": obj{"id": nil, "idempotency_key": nil}}
	s.Events = append(s.Events, ev)
	return ev
}

// Sign returns an event's payload and its Stripe-Signature header.
func Sign(ev map[string]any, secret string) ([]byte, string) {
	b, _ := json.Marshal(ev)
	sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: b, Secret: secret})
	return sp.Payload, sp.Header
}

// emit delivers an event to the webhook URL, if one is set (best effort, like Stripe's first attempt).
func (s *Stub) emit(ev obj) {
	if s.opt.WebhookURL == "" {
		return
	}
	payload, header := Sign(ev, s.opt.WebhookSecret)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, s.opt.WebhookURL, bytes.NewReader(payload))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Stripe-Signature", header)
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
		if err != nil {
			slog.Warn("stripestub: webhook delivery failed", "event", ev["type"], "err", err)
			return
		}
		resp.Body.Close()
	}()
}

// safeRoute answers 500 instead of dying with the lock held if a handler panics.
func (s *Stub) safeRoute(r *http.Request) (status int, body any, events []obj) {
	defer func() {
		if p := recover(); p != nil {
			status, body, events = 500, errBody("api_error", "", fmt.Sprint("stand-in bug: ", p)), nil
		}
	}()
	return s.route(r)
}

func asInt(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case int:
		return int64(n)
	case float64:
		return int64(n)
	}
	return 0
}
