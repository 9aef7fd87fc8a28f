// Command chaos is the load of scripts/chaos.sh: purchases through the load
// balancer of `make cluster` (prepaid and trickle meters, single pieces and
// batches), a change-of-address list now and then and an address list for
// batch cleansing through the browser form, sent as a careful
// client sends them: a purchase that fails for a reason not its own (a
// connection cut, a 5xx, a 202 "charged, finishing") is retried with the same
// Idempotency-Key until it is answered. Every attempt is written to
// events.tsv (time, outcome) and every answered purchase's labels to
// labels.txt, so the script can tell what the clients saw during each outage
// and check that every label they were given is in the database.
// SIGINT or SIGTERM stops new purchases; the ones in flight are finished
// (up to -drain) before it exits. While the file <out>/pause exists no new
// purchase starts, and <out>/paused is written once none is in flight, so
// the script can audit a quiet database.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"html"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"indicia/accounts"
	"indicia/app"
	"indicia/config"
	"indicia/metering"
	"indicia/payments"
)

type meterKey struct {
	key     string
	trickle bool
}

type recorder struct {
	mu     sync.Mutex
	events *bufio.Writer
	labels *bufio.Writer
	files  []*os.File
}

func newRecorder(dir string) (*recorder, error) {
	r := &recorder{}
	for _, name := range []string{"events.tsv", "labels.txt"} {
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, err
		}
		r.files = append(r.files, f)
	}
	r.events, r.labels = bufio.NewWriter(r.files[0]), bufio.NewWriter(r.files[1])
	return r, nil
}

// event records one attempt: ok (answered with labels), retry (failed for a
// reason not the request's own; it will be sent again) or refused (4xx).
func (r *recorder) event(outcome string, code int, labels []string) {
	r.attempt(time.Now(), outcome, code, labels)
}

// attempt records an attempt with the time it was sent, the fourth column:
// the script counts a recovery from the first success sent after a kill,
// not one that was answered by the dead component just before it.
func (r *recorder) attempt(sent time.Time, outcome string, code int, labels []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.events, "%d\t%s\t%d\t%d\n", time.Now().UnixMilli(), outcome, code, sent.UnixMilli())
	for _, l := range labels {
		fmt.Fprintln(r.labels, l)
	}
}

func (r *recorder) flush() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events.Flush()
	r.labels.Flush()
	for _, f := range r.files {
		f.Sync()
	}
}

func main() {
	base := flag.String("url", "http://127.0.0.1:18400", "the load balancer's URL")
	out := flag.String("out", "var/cluster/chaos", "where events.tsv and labels.txt are written")
	clients := flag.Int("clients", 8, "concurrent purchasing clients")
	meters := flag.Int("meters", 8, "meters (half prepaid, half trickle)")
	drain := flag.Duration("drain", 3*time.Minute, "how long to finish the purchases in flight after a stop")
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fail(err)
	}
	ctx := context.Background()
	keys, postalKey, err := setup(ctx, logger, *meters)
	if err != nil {
		fail(err)
	}
	rec, err := newRecorder(*out)
	if err != nil {
		fail(err)
	}
	stop := make(chan struct{})
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() { <-sig; close(stop) }()
	hardStop := make(chan struct{})
	go func() {
		<-stop
		time.Sleep(*drain)
		close(hardStop)
	}()
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Second):
				rec.flush()
			}
		}
	}()

	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *clients * 2}}
	var unanswered, inflight atomic.Int64
	pauseFile, pausedFile := filepath.Join(*out, "pause"), filepath.Join(*out, "paused")
	waitWhilePaused := func() {
		for {
			if _, err := os.Stat(pauseFile); err != nil {
				os.Remove(pausedFile)
				return
			}
			if inflight.Load() == 0 {
				rec.flush()
				os.WriteFile(pausedFile, nil, 0o644)
			}
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	var wg sync.WaitGroup
	for c := range *clients {
		wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				waitWhilePaused()
				mk := keys[(c+n)%len(keys)]
				pieces := 1
				if n%5 == 4 {
					pieces = 3
				}
				inflight.Add(1)
				if !purchase(client, *base, mk, pieces, rec, hardStop) {
					unanswered.Add(1)
				}
				inflight.Add(-1)
			}
		})
	}
	wg.Go(func() {
		for n := 0; ; n++ {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Second):
			}
			uploadList(client, *base, postalKey, n, rec)
		}
	})
	wg.Go(func() { probeSession(*base, rec, stop) })
	wg.Go(func() { cleanseLists(*base, rec, stop) })
	wg.Wait()
	rec.flush()
	fmt.Printf("unanswered=%d\n", unanswered.Load())
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "chaos:", err)
	os.Exit(1)
}

// setup makes the meters (funded prepaid ones, trickle ones with a test card)
// with one API key each, and a postal staff key for the list uploads.
func setup(ctx context.Context, logger *slog.Logger, n int) ([]meterKey, string, error) {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return nil, "", err
	}
	a, err := app.New(ctx, cfg, app.Options{})
	if err != nil {
		return nil, "", err
	}
	defer a.Close()
	_ = logger
	stamp := time.Now().UnixNano()
	var keys []meterKey
	for i := range n {
		owner, acct, err := a.Accounts.SignUp(ctx, accounts.SignUpInput{Name: "Chaos Tester", Company: "Chaos Co",
			Email: fmt.Sprintf("chaos%d-%d@example.com", stamp, i), Password: "chaos test password 42",
			Address: accounts.Address{Line1: "1 Main St", City: "Stamford", State: "CT", ZIP: "06901"}})
		if err == nil {
			err = a.Accounts.MarkEmailVerified(ctx, owner.ID)
		}
		if err != nil {
			return nil, "", fmt.Errorf("sign up: %w", err)
		}
		m, err := a.Metering.Provision(ctx, acct.ID, acct.OriginZIP)
		if err != nil {
			return nil, "", fmt.Errorf("provision: %w", err)
		}
		trickle := i%2 == 1
		if trickle {
			if _, err := a.Payments.SaveCard(ctx, owner, "pm_card_visa"); err != nil {
				return nil, "", fmt.Errorf("card: %w", err)
			}
			if err := a.Payments.SetFunding(ctx, owner, payments.Funding{MeterID: m.ID, Mode: payments.ModeTrickle}); err != nil {
				return nil, "", fmt.Errorf("trickle: %w", err)
			}
		} else if _, err := a.Metering.Credit(ctx, accounts.System, m.ID, 100_000_000, metering.CreditAdmin, ""); err != nil {
			return nil, "", fmt.Errorf("credit: %w", err)
		}
		_, secret, err := a.Accounts.CreateAPIKey(ctx, owner, "chaos", []string{"buy_postage"})
		if err != nil {
			return nil, "", fmt.Errorf("api key: %w", err)
		}
		keys = append(keys, meterKey{key: secret, trickle: trickle})
	}
	postal, err := a.Accounts.Login(ctx, accounts.LoginAttempt{Email: "postal@demo.indicia.test", Password: "demo-postal-2026", IP: "127.0.0.1", UserAgent: "chaos"})
	if err != nil {
		return nil, "", fmt.Errorf("postal login (run `indicia seed` first): %w", err)
	}
	_, postalKey, err := a.Accounts.CreateAPIKey(ctx, postal, "chaos", nil)
	if err != nil {
		return nil, "", fmt.Errorf("postal api key: %w", err)
	}
	return keys, postalKey, nil
}

const piece = `{"postage":%d,"mail_class":"FCM_LETTER","dest_zip":"20500","recipient":{"name":"Ann Lee","address":"1600 Pennsylvania Ave NW, Washington DC 20500"}}`

// purchase buys pieces on the key's meter, sending the same request with the
// same Idempotency-Key until it is answered (201 or 200) or refused (4xx
// other than 409 "in progress" and 429), or hardStop. Trickle pieces cost
// more than the card minimum.
func purchase(client *http.Client, base string, mk meterKey, pieces int, rec *recorder, hardStop <-chan struct{}) bool {
	postage := 78
	if mk.trickle {
		postage = 120
	}
	var buf bytes.Buffer
	buf.WriteString(`{"pieces":[`)
	for i := range pieces {
		if i > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, piece, postage)
	}
	buf.WriteString(`]}`)
	body := buf.Bytes()
	idem := newKey()
	for {
		select {
		case <-hardStop:
			return false
		default:
		}
		req, _ := http.NewRequest("POST", base+"/api/v1/labels", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+mk.key)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", idem)
		sent := time.Now()
		resp, err := client.Do(req)
		code := 0
		var answer struct {
			Labels []struct {
				ID string `json:"id"`
			} `json:"labels"`
		}
		if err == nil {
			code = resp.StatusCode
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if code == http.StatusCreated || code == http.StatusOK {
				if json.Unmarshal(b, &answer) == nil && len(answer.Labels) == pieces {
					ids := make([]string, len(answer.Labels))
					for i, l := range answer.Labels {
						ids[i] = l.ID
					}
					rec.attempt(sent, "ok", code, ids)
					return true
				}
				code = -1 // an answer without its labels is a failure the script counts
			}
		}
		if code >= 400 && code < 500 && code != http.StatusConflict && code != http.StatusTooManyRequests && code != http.StatusRequestTimeout {
			rec.event("refused", code, nil)
			return true
		}
		rec.attempt(sent, "retry", code, nil)
		if code == http.StatusAccepted {
			// Charged, being finished by the reconciler: no hurry.
			time.Sleep(time.Second)
		} else {
			time.Sleep(200 * time.Millisecond)
		}
	}
}

// uploadList sends a small change-of-address list (a job for the workers);
// its answer is recorded like a purchase's, without labels.
func uploadList(client *http.Client, base, key string, n int, rec *recorder) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("source", "chaos run")
	f, _ := w.CreateFormFile("file", fmt.Sprintf("chaos-%d.csv", n))
	fmt.Fprintln(f, "move_type,first_name,last_name,old_line1,old_city,old_state,old_zip,new_line1,new_city,new_state,new_zip,move_effective_date")
	for i := range 20 {
		fmt.Fprintf(f, "I,Pat,Chaos%d,%d Elm St,Stamford,CT,06901,%d Oak St,Hartford,CT,06103,2026-11-01\n", n, 100+i, 200+i)
	}
	w.Close()
	req, _ := http.NewRequest("POST", base+"/api/v1/coa/lists", &body)
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := client.Do(req)
	code := 0
	if err == nil {
		code = resp.StatusCode
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	outcome := "list-ok"
	if code != http.StatusAccepted {
		outcome = "list-failed"
	}
	rec.event(outcome, code, nil)
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// probeSession logs the demo mailer in through the load balancer and asks
// for the dashboard twice a second with that session: "session-ok" (200),
// "session-login" (sent to log in again), "session-busy" (503, sessions
// unavailable for a moment) or "session-error" (anything else, a 500 among
// them, which a Redis failover must never cause).
func probeSession(base string, rec *recorder, stop <-chan struct{}) {
	client := browserClient()
	client.Timeout = 10 * time.Second
	login := func() bool { return browserLogin(client, base) }
	loggedIn := login()
	for {
		select {
		case <-stop:
			return
		case <-time.After(500 * time.Millisecond):
		}
		if !loggedIn {
			loggedIn = login()
			continue
		}
		resp, err := client.Get(base + "/dashboard")
		code, outcome := 0, "session-error"
		if err == nil {
			code = resp.StatusCode
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		switch {
		case code == http.StatusOK:
			outcome = "session-ok"
		case code == http.StatusSeeOther || code == http.StatusFound:
			outcome, loggedIn = "session-login", false
		case code == http.StatusServiceUnavailable:
			outcome = "session-busy"
		}
		rec.event(outcome, code, nil)
	}
}

// browserClient is a browser's HTTP client: its own cookies, redirects
// not followed.
func browserClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// formToken reads the page's CSRF token and the page's status; the token
// is "" when the page has no form (a redirect, an error).
func formToken(client *http.Client, pageURL string) (string, int) {
	resp, err := client.Get(pageURL)
	if err != nil {
		return "", 0
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil {
		return "", resp.StatusCode
	}
	return html.UnescapeString(string(m[1])), resp.StatusCode
}

func redirected(code int) bool { return code == http.StatusSeeOther || code == http.StatusFound }

// browserLogin logs the demo mailer in with the client's cookies; a login
// page that sends the browser on means the session is still good.
func browserLogin(client *http.Client, base string) bool {
	token, code := formToken(client, base+"/login")
	if token == "" {
		return redirected(code)
	}
	form := url.Values{"_csrf": {token}, "email": {"mailer@demo.indicia.test"}, "password": {"demo-mailer-2026"}}
	resp, err := client.PostForm(base+"/login", form)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusSeeOther || resp.StatusCode == http.StatusFound
}

// cleanseLists uploads a small address list for batch cleansing every 7 s
// through the browser form, as the demo mailer: "cleanse-ok" when the form
// sends the browser to the job's page, "cleanse-failed" otherwise. The
// worker cleanses it; the script checks at the end that every job is done.
func cleanseLists(base string, rec *recorder, stop <-chan struct{}) {
	client := browserClient()
	loggedIn := browserLogin(client, base)
	for n := 0; ; n++ {
		select {
		case <-stop:
			return
		case <-time.After(7 * time.Second):
		}
		if !loggedIn {
			if loggedIn = browserLogin(client, base); !loggedIn {
				rec.event("cleanse-failed", 0, nil)
				continue
			}
		}
		token, code := formToken(client, base+"/cleanse")
		if token == "" {
			// Sent to log in: the session is gone. Anything else (a 503
			// during a failover) leaves the session as it was.
			loggedIn = !redirected(code)
			rec.event("cleanse-failed", code, nil)
			continue
		}
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		w.WriteField("_csrf", token)
		f, _ := w.CreateFormFile("file", fmt.Sprintf("chaos-cleanse-%d.csv", n))
		fmt.Fprintln(f, "line1,line2,city,state,zip")
		for i := range 25 {
			fmt.Fprintf(f, "%d Main St,,Stamford,CT,06901\n%d Mill Rd,Ste %d,Hartford,CT,\n", 10+i, 5+i, 100+i)
		}
		w.Close()
		req, _ := http.NewRequest("POST", base+"/cleanse", &body)
		req.Header.Set("Content-Type", w.FormDataContentType())
		resp, err := client.Do(req)
		outcome := "cleanse-failed"
		code = 0
		if err == nil {
			code = resp.StatusCode
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if code == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/jobs/") {
				outcome = "cleanse-ok"
			}
		}
		rec.event(outcome, code, nil)
	}
}

func newKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return "chaos-" + hex.EncodeToString(b)
}
