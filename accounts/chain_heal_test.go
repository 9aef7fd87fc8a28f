package accounts_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/db/dbtest"
	"indicia/metering/box"
	"indicia/metering/meteringtest"
)

type chainEnv struct {
	t      *testing.T
	s      *accounts.Service
	pool   *pgxpool.Pool
	box    *meteringtest.Box
	breaks []string
	mu     sync.Mutex
}

func newChainEnv(t *testing.T) *chainEnv {
	e := &chainEnv{t: t, box: meteringtest.Start(t), pool: dbtest.New(t)}
	rdb, prefix := dbtest.Redis(t)
	s, err := accounts.New(e.pool, rdb, accounts.Options{RedisPrefix: prefix, Pepper: e.box.Client, Signer: e.box.Client,
		OnChainBreak: func(reason string) { e.mu.Lock(); e.breaks = append(e.breaks, reason); e.mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	e.s = s
	signUp(t, s, "chain@example.com")
	return e
}

func (e *chainEnv) login(ip string) {
	e.t.Helper()
	if _, err := e.s.Login(context.Background(), accounts.LoginAttempt{Email: "chain@example.com", Password: "correct horse battery", IP: ip, UserAgent: "t"}); err != nil {
		e.t.Fatalf("login from %s: %v", ip, err)
	}
}

func (e *chainEnv) audit() accounts.ChainReport {
	e.t.Helper()
	keys, err := e.box.Client.Certificates(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	pub, err := accounts.ParseTxKey(keys.TxKeyPEM)
	if err != nil {
		e.t.Fatal(err)
	}
	rep, err := e.s.AuditLoginChain(context.Background(), pub)
	if err != nil {
		e.t.Fatal(err)
	}
	return rep
}

func (e *chainEnv) exec(sql string, args ...any) {
	e.t.Helper()
	tag, err := e.pool.Exec(context.Background(), sql, args...)
	if err != nil || tag.RowsAffected() != 1 {
		e.t.Fatalf("%s: %v (%d rows)", sql, err, tag.RowsAffected())
	}
}

// lastID is the newest login record.
func (e *chainEnv) lastID() int64 {
	e.t.Helper()
	var id int64
	if err := e.pool.QueryRow(context.Background(), `SELECT max(id) FROM login_history`).Scan(&id); err != nil {
		e.t.Fatal(err)
	}
	return id
}

type storedLogin struct {
	ID, Seq int64
	Segment int
	Payload map[string]any
}

func (e *chainEnv) records() []storedLogin {
	e.t.Helper()
	rows, err := e.pool.Query(context.Background(), `SELECT id, coalesce(tx_segment, 0), coalesce(tx_seq, 0), coalesce(tx_payload, '{}') FROM login_history ORDER BY id`)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var out []storedLogin
	for rows.Next() {
		var r storedLogin
		var raw []byte
		if err := rows.Scan(&r.ID, &r.Segment, &r.Seq, &raw); err != nil {
			e.t.Fatal(err)
		}
		_ = json.Unmarshal(raw, &r.Payload) // the edited record's payload is not JSON any more
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		e.t.Fatal(err)
	}
	return out
}

func TestAuditIsCleanOnAnUnbrokenLoginChain(t *testing.T) {
	e := newChainEnv(t)
	for i := range 3 {
		e.login(fmt.Sprintf("10.0.0.%d", i))
	}
	rep := e.audit()
	if !rep.OK() || rep.Records != 3 || rep.Segments != 1 || len(rep.Breaks) != 0 {
		t.Errorf("audit of an unbroken chain: %+v", rep)
	}
}

func TestEditedLoginRecordStartsASignedSegmentAndAlertsOnce(t *testing.T) {
	e := newChainEnv(t)
	ctx := context.Background()
	for i := range 3 {
		e.login(fmt.Sprintf("10.0.0.%d", i))
	}
	edited := e.lastID()
	e.exec(`UPDATE login_history SET tx_payload = tx_payload || ' ' WHERE id = $1`, edited)
	for i := range 3 {
		e.login(fmt.Sprintf("10.0.1.%d", i))
	}

	recs := e.records()
	if len(recs) != 6 {
		t.Fatalf("%d login records after three logins behind an edited record, want 6", len(recs))
	}
	for i, r := range recs[3:] {
		if r.Segment != 2 || r.Seq != int64(i+1) {
			t.Errorf("login after the break #%d: segment %d seq %d, want segment 2 seq %d", r.ID, r.Segment, r.Seq, i+1)
		}
	}
	start := recs[3]
	if start.Payload["segment_start"] != true || start.Payload["broken_after_id"] != float64(edited) {
		t.Errorf("the new segment's first record does not name the break after #%d: %v", edited, start.Payload)
	}
	if recs[4].Payload["segment_start"] != nil {
		t.Errorf("a later record claims to start a segment: %v", recs[4].Payload)
	}

	alerts, err := e.s.ChainAlerts(ctx, accounts.System, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 1 {
		t.Fatalf("%d login chain alerts, want 1: %+v", len(alerts), alerts)
	}
	a := alerts[0]
	if a.BrokenLoginID != edited || a.SegmentLoginID != start.ID || a.Segment != 2 || a.Reason != accounts.BreakEdited ||
		!strings.Contains(a.Detail, fmt.Sprintf("#%d", edited)) || !a.Open() {
		t.Errorf("alert = %+v, want the edited record #%d named, segment 2 starting at #%d", a, edited, start.ID)
	}
	if len(e.breaks) != 1 || e.breaks[0] != accounts.BreakEdited {
		t.Errorf("break callbacks = %v, want one %q", e.breaks, accounts.BreakEdited)
	}
	if n, err := e.s.OpenChainAlerts(ctx); err != nil || n != 1 {
		t.Errorf("open chain alerts = %d, %v; want 1", n, err)
	}

	rep := e.audit()
	if rep.Records != 6 || rep.Segments != 2 || len(rep.Breaks) != 1 || !strings.Contains(rep.Breaks[0], fmt.Sprintf("break at login record #%d", edited)) {
		t.Errorf("audit does not report the break and the segment: %+v", rep)
	}
	if len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0], "still open") {
		t.Errorf("audit problems with the alert open = %q, want only the open alert", rep.Problems)
	}

	if err := e.s.ResolveChainAlert(ctx, accounts.System, a.ID, "restored from backup"); err != nil {
		t.Fatal(err)
	}
	err = e.s.ResolveChainAlert(ctx, accounts.System, a.ID, "again")
	if apperr.KindOf(err) != apperr.KindConflict {
		t.Errorf("second resolve: %v, want a conflict", err)
	}
	if rep := e.audit(); !rep.OK() || len(rep.Breaks) != 1 || !strings.Contains(rep.Breaks[0], "resolved") {
		t.Errorf("audit after the alert is resolved: %+v", rep)
	}
}

func TestOnlyVendorAdminsSeeLoginChainAlerts(t *testing.T) {
	e := newChainEnv(t)
	owner, _ := signUp(t, e.s, "owner@example.com")
	if _, err := e.s.ChainAlerts(context.Background(), owner, 10); apperr.KindOf(err) != apperr.KindForbidden {
		t.Errorf("an account owner listed login chain alerts: %v", err)
	}
	if err := e.s.ResolveChainAlert(context.Background(), owner, 1, "x"); apperr.KindOf(err) != apperr.KindForbidden {
		t.Errorf("an account owner resolved a login chain alert: %v", err)
	}
}

func TestConcurrentLoginsBehindABreakFormOneValidChain(t *testing.T) {
	e := newChainEnv(t)
	for i := range 2 {
		e.login(fmt.Sprintf("10.0.0.%d", i))
	}
	e.exec(`UPDATE login_history SET tx_sig = tx_hash || tx_hash WHERE id = $1`, e.lastID())
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.s.Login(context.Background(), accounts.LoginAttempt{Email: "chain@example.com", Password: "correct horse battery", IP: fmt.Sprintf("10.0.2.%d", i), UserAgent: "t"})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent login: %v", err)
		}
	}
	recs := e.records()
	if len(recs) != 2+n {
		t.Fatalf("%d login records, want %d", len(recs), 2+n)
	}
	var starts int
	for _, r := range recs[2:] {
		if r.Segment != 2 || r.Seq == 0 {
			t.Errorf("login #%d behind the break: segment %d seq %d", r.ID, r.Segment, r.Seq)
		}
		if r.Payload["segment_start"] == true {
			starts++
		}
	}
	if starts != 1 || len(e.breaks) != 1 || e.breaks[0] != accounts.BreakSignature {
		t.Errorf("%d segment starts, break callbacks %v; want one, %q", starts, e.breaks, accounts.BreakSignature)
	}
	rep := e.audit()
	if rep.Records != 2+n || rep.Segments != 2 || len(rep.Breaks) != 1 || len(rep.Problems) != 1 {
		t.Errorf("audit after concurrent logins across a break: %+v", rep)
	}
}

func TestAuditFindsEditsTheLoginPathCannotSee(t *testing.T) {
	cases := map[string]struct {
		edit string // $1 is the second of four records
		want string
	}{
		"a column":        {`UPDATE login_history SET ip = '192.0.2.66' WHERE id = $1`, "ip differs from the signed record"},
		"a signed record": {`UPDATE login_history SET tx_payload = tx_payload || ' ' WHERE id = $1`, "changed after it was signed"},
		"a deletion":      {`DELETE FROM login_history WHERE id = $1`, "records are missing before it"},
		"a renumbering":   {`UPDATE login_history SET tx_segment = 7 WHERE id = (SELECT max(id) FROM login_history) AND $1 > 0`, "segments between 1 and 7 are missing"},
		"an unsigned row": {`UPDATE login_history SET tx_segment = NULL, tx_seq = NULL WHERE id = $1`, "not signed"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			e := newChainEnv(t)
			for i := range 4 {
				e.login(fmt.Sprintf("10.0.0.%d", i))
			}
			e.exec(c.edit, e.records()[1].ID)
			rep := e.audit()
			if rep.OK() || !strings.Contains(strings.Join(rep.Problems, "\n"), c.want) {
				t.Errorf("audit after editing %s: problems %q, want %q", name, rep.Problems, c.want)
			}
		})
	}
}

// downSigner is a transaction box that cannot sign (it is down).
type downSigner struct{}

func (downSigner) SignTransaction(context.Context, string, []byte, *box.SignedTx) (box.SignedTx, error) {
	return box.SignedTx{}, errors.New("box: connection refused")
}

func TestALoginTheBoxCannotSignIsKeptUnsignedAndAudited(t *testing.T) {
	e := newChainEnv(t)
	e.login("10.0.0.1")
	rdb, prefix := dbtest.Redis(t)
	down, err := accounts.New(e.pool, rdb, accounts.Options{RedisPrefix: prefix, Pepper: e.box.Client, Signer: downSigner{}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := down.Login(context.Background(), accounts.LoginAttempt{Email: "chain@example.com", Password: "correct horse battery", IP: "10.0.0.2", UserAgent: "t"}); err != nil {
		t.Fatal(err)
	}
	recs := e.records()
	if len(recs) != 2 || recs[1].Seq != 0 {
		t.Fatalf("records %+v, want the second one kept unsigned", recs)
	}
	rep := e.audit()
	if rep.Unsigned != 1 || !strings.Contains(strings.Join(rep.Problems, "\n"), "1 login records are not signed") {
		t.Errorf("audit with an unsigned record: %+v", rep)
	}
	// The chain goes on from its last signed record: no break, no alert.
	e.login("10.0.0.3")
	if alerts, err := e.s.ChainAlerts(context.Background(), accounts.System, 10); err != nil || len(alerts) != 0 {
		t.Errorf("alerts after an unsigned record: %v %v", alerts, err)
	}
}
