package metering_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/db/dbtest"
	"indicia/labels"
	"indicia/metering"
	"indicia/metering/indicium"
	"indicia/metering/meteringtest"
)

func textOf(t testing.TB, l metering.Label) string {
	t.Helper()
	in, err := indicium.Parse(l.Indicium)
	if err != nil {
		t.Fatal(err)
	}
	return in.Text()
}

func verify(t *testing.T, svc *metering.Service, req metering.VerifyRequest) metering.Verification {
	t.Helper()
	v, err := svc.Verify(context.Background(), staff, req)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestVerifyAnswers(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, _, pool := setupPool(t, b, 1000)
	ctx := context.Background()
	l := buyOne(t, svc, owner, 78)
	text := textOf(t, l)

	v := verify(t, svc, metering.VerifyRequest{Text: text, PieceRef: "PIECE-1", Location: "06901", IP: "192.0.2.7", Recipient: "9 ELM ST|90210"})
	if v.Result != metering.ResultValid || v.Fields == nil {
		t.Fatalf("genuine indicium: %+v", v)
	}
	f := v.Fields
	if f.Serial != l.Serial || f.Postage != 78 || f.PieceNumber != 1 || f.AR != 78 || f.OriginZIP != "06901" || f.DestZIP != "90210" ||
		f.MailClass != "FCM_LETTER" || !f.MailingDate.Equal(l.MailingDate) {
		t.Errorf("decoded fields %+v", f)
	}
	if v.RecipientMatch == nil || !*v.RecipientMatch {
		t.Error("the standardized recipient address should match")
	}
	// The same piece again is still valid; another piece is a duplicate.
	if v := verify(t, svc, metering.VerifyRequest{Text: text, PieceRef: "PIECE-1"}); v.Result != metering.ResultValid {
		t.Errorf("rescan of the same piece: %s %s", v.Result, v.Reason)
	}
	dup := verify(t, svc, metering.VerifyRequest{Text: text, PieceRef: "PIECE-2", Location: "10001"})
	if dup.Result != metering.ResultDuplicate || dup.FirstUsedAt == nil {
		t.Errorf("second piece: %+v", dup)
	}

	// Without piece references, a scan at another facility is a duplicate.
	l2 := buyOne(t, svc, owner, 60)
	if v := verify(t, svc, metering.VerifyRequest{Text: textOf(t, l2), Location: "06901"}); v.Result != metering.ResultValid {
		t.Errorf("first scan: %s", v.Result)
	}
	if v := verify(t, svc, metering.VerifyRequest{Text: textOf(t, l2), Location: "06901"}); v.Result != metering.ResultValid {
		t.Errorf("rescan at the same facility: %s", v.Result)
	}
	if v := verify(t, svc, metering.VerifyRequest{Text: textOf(t, l2), Location: "94107"}); v.Result != metering.ResultDuplicate {
		t.Errorf("scan at another facility: %s", v.Result)
	}

	// A different recipient address fails, and does not use the label up.
	l3 := buyOne(t, svc, owner, 60)
	mis := verify(t, svc, metering.VerifyRequest{Text: textOf(t, l3), Recipient: "1 OTHER RD|90210"})
	if mis.Result != metering.ResultInvalid || mis.RecipientMatch == nil || *mis.RecipientMatch {
		t.Errorf("wrong recipient: %+v", mis)
	}
	if _, err := svc.Void(ctx, owner, l3.PublicID); err != nil {
		t.Errorf("a label checked against a wrong address is still unused: %v", err)
	}

	var signals, logged, withIP int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM fraud_signals WHERE kind = 'duplicate_use'`).Scan(&signals); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM verifications`).Scan(&logged); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM verifications WHERE ip = '192.0.2.7' AND piece_ref = 'PIECE-1' AND result = 'valid' AND indicium_hash IS NOT NULL`).Scan(&withIP); err != nil {
		t.Fatal(err)
	}
	if signals != 2 || logged != 7 || withIP != 1 {
		t.Errorf("fraud signals %d (want 2), verifications logged %d (want 7), first row %d", signals, logged, withIP)
	}
	rows, err := svc.RecentVerifications(ctx, staff, 10)
	if err != nil || len(rows) != 7 || rows[0].Result != metering.ResultInvalid {
		t.Errorf("recent verifications: %d rows, %v", len(rows), err)
	}
}

func TestVerifyRefusesForgeries(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, _, pool := setupPool(t, b, 1000)
	l := buyOne(t, svc, owner, 78)
	in, err := indicium.Parse(l.Indicium)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{}
	flipped := in
	flipped.Signature[10] ^= 0x01
	cases["flipped signature bit"] = flipped.Text()
	raw := append([]byte{}, in.Bytes()...)
	raw[len(raw)-70] ^= 0x04 // inside the recipient hash: still parses
	if p, err := indicium.Parse(raw); err == nil {
		cases["flipped data bit"] = p.Text()
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	forged, err := indicium.Sign(in.Fields, key)
	if err != nil {
		t.Fatal(err)
	}
	cases["same serial, another key"] = forged.Text()
	f := in.Fields
	f.MeterSerial = "IN999999999"
	unknown, _ := indicium.Sign(f, key)
	cases["unknown meter"] = unknown.Text()
	cases["not an indicium"] = "hello world"
	for name, text := range cases {
		v := verify(t, svc, metering.VerifyRequest{Text: text})
		if v.Result != metering.ResultInvalid || v.Reason == "" {
			t.Errorf("%s: %s (%s), want invalid", name, v.Result, v.Reason)
		}
	}
	var used *time.Time
	if err := pool.QueryRow(context.Background(), `SELECT used_at FROM indicia WHERE public_id = $1`, l.PublicID).Scan(&used); err != nil {
		t.Fatal(err)
	}
	if used != nil {
		t.Error("a forged copy marked the genuine label used")
	}
	if v := verify(t, svc, metering.VerifyRequest{Text: in.Text()}); v.Result != metering.ResultValid {
		t.Errorf("the genuine one after the forgeries: %s", v.Result)
	}
}

func TestVerifyNeedsStaffAndText(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, _ := setup(t, b, 0)
	if _, err := svc.Verify(context.Background(), owner, metering.VerifyRequest{Text: "x"}); apperr.KindOf(err) != apperr.KindForbidden {
		t.Errorf("mailer verifying: %v", err)
	}
	_, err := svc.Verify(context.Background(), accounts.User{Role: accounts.RoleAdmin}, metering.VerifyRequest{Text: "  "})
	if f, ok := apperr.AsFields(err); !ok || f["text"] == "" {
		t.Errorf("empty text: %v", err)
	}
}

func TestCheckOfflineWithPublishedBundle(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m := setup(t, b, 1000)
	l := buyOne(t, svc, owner, 78)
	keys, err := b.Client.Certificates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	certs, err := indicium.ParseCertificatesPEM(append(append([]byte{}, keys.RootCertPEM...), m.CertPEM...))
	if err != nil {
		t.Fatal(err)
	}
	pin := sha256.Sum256(certs[0].Raw)
	if _, err := metering.CheckOffline(textOf(t, l), certs, pin); err != nil {
		t.Errorf("genuine: %v", err)
	}
	if _, err := metering.CheckOffline(textOf(t, l), certs[1:], pin); !errors.Is(err, metering.ErrNoRoot) {
		t.Errorf("no root in the bundle: %v", err)
	}
	if _, err := metering.CheckOffline(textOf(t, l), certs[:1], pin); !errors.Is(err, metering.ErrUnknownMeter) {
		t.Errorf("no meter certificate: %v", err)
	}
	if _, err := metering.CheckOffline(textOf(t, l), certs, sha256.Sum256(certs[1].Raw)); err == nil {
		t.Error("meter certificate pinned as the root: verified anyway")
	}
	in, _ := indicium.Parse(l.Indicium)
	if _, err := metering.CheckOffline(highSTwin(in).Text(), certs, pin); !errors.Is(err, indicium.ErrHighS) {
		t.Errorf("high-S twin: %v", err)
	}
}

// highSTwin is in with the other valid encoding of its signature, (r, n−s).
func highSTwin(in indicium.Indicium) indicium.Indicium {
	s := new(big.Int).SetBytes(in.Signature[32:])
	new(big.Int).Sub(elliptic.P256().Params().N, s).FillBytes(in.Signature[32:])
	return in
}

// runIndicia runs the indicia binary with only the given environment (no database settings).
func runIndicia(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(meteringtest.Binary(t), args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

func TestIndiciaVerifyCommandOffline(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m := setup(t, b, 1000)
	l := buyOne(t, svc, owner, 78)
	keys, err := b.Client.Certificates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certs := filepath.Join(dir, "certs.pem")
	if err := os.WriteFile(certs, append(append([]byte{}, keys.RootCertPEM...), m.CertPEM...), 0o600); err != nil {
		t.Fatal(err)
	}
	revocations, err := svc.RevocationList(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "revocations.pem"), revocations, 0o600); err != nil {
		t.Fatal(err)
	}
	in, _ := indicium.Parse(l.Indicium)
	png := filepath.Join(dir, "label.png")
	f, err := os.Create(png)
	if err != nil {
		t.Fatal(err)
	}
	if err := labels.PNG(f, labels.FromIndicium(in), labels.DefaultDPI); err != nil {
		t.Fatal(err)
	}
	f.Close()
	bad := in
	bad.Signature[0] ^= 0x80
	pin := []string{"INDICIA_ROOT_FINGERPRINT=" + rootFingerprint(t, keys.RootCertPEM)}

	for _, c := range []struct {
		name string
		arg  string
		code int
		want string
	}{
		{"text", in.Text(), 0, "VALID"},
		{"PNG label", png, 0, "VALID"},
		{"flipped bit", bad.Text(), 1, "INVALID"},
		{"garbage", "not-an-indicium", 1, "INVALID"},
		{"high-S twin", highSTwin(in).Text(), 1, "INVALID\nreason            indicium: signature is not in low-S form (s > n/2)"},
	} {
		out, code := runIndicia(t, pin, "verify", "--certs", certs, c.arg)
		if code != c.code || !strings.HasPrefix(out, c.want) || !strings.HasPrefix(out, strings.SplitN(c.want, "\n", 2)[0]+"\n") {
			t.Errorf("%s: exit %d, output:\n%s", c.name, code, out)
		}
		if c.code == 0 && (!strings.Contains(out, l.Serial) || !strings.Contains(out, "$0.78")) {
			t.Errorf("%s: decoded fields missing:\n%s", c.name, out)
		}
	}
	if out, code := runIndicia(t, pin, "verify", "--certs", filepath.Join(dir, "missing.pem"), in.Text()); code == 0 {
		t.Errorf("missing bundle: exit 0\n%s", out)
	}
	// The test label's recipient hash is of "9 ELM ST|90210", not of this address.
	if out, code := runIndicia(t, pin, "verify", "--certs", certs, "--address", "9 Elm Street, Beverly Hills CA 90210", in.Text()); code != 1 ||
		!strings.Contains(out, "not the one this postage was bought for") {
		t.Errorf("another recipient: exit %d\n%s", code, out)
	}
	bundle, _ := os.ReadFile(certs)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/indicia/certs":
			w.Write(bundle)
		case "/.well-known/indicia/revocations":
			w.Write(revocations)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	saved := filepath.Join(dir, "fetched", "certs.pem")
	if out, code := runIndicia(t, pin, "verify", "--certs", saved, "--certs-url", srv.URL, in.Text()); code != 0 || !strings.HasPrefix(out, "VALID") {
		t.Errorf("--certs-url: exit %d\n%s", code, out)
	}
	if got, err := os.ReadFile(saved); err != nil || string(got) != string(bundle) {
		t.Errorf("--certs-url did not save the bundle: %v", err)
	}
}

func TestIndiciaAuditCommand(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, _, pool := setupPool(t, b, 1000)
	l := buyOne(t, svc, owner, 78)
	if _, err := svc.Void(context.Background(), owner, l.PublicID); err != nil {
		t.Fatal(err)
	}
	buyOne(t, svc, owner, 60)
	env := []string{"DATABASE_URL=" + pool.Config().ConnString(), "BOX_SOCKET=" + b.Socket, "LOG_LEVEL=error"}
	out, code := runIndicia(t, env, "audit")
	if code != 0 || !strings.Contains(out, "OK: no violations") || !strings.Contains(out, "voided labels 1") || !strings.Contains(out, "pieces        2") {
		t.Fatalf("clean audit: exit %d\n%s", code, out)
	}
	if _, err := pool.Exec(context.Background(), `UPDATE meter_transactions SET amount = amount + 1 WHERE kind = 'postage'
		AND id = (SELECT min(id) FROM meter_transactions WHERE kind = 'postage')`); err != nil {
		t.Fatal(err)
	}
	out, code = runIndicia(t, env, "audit")
	if code == 0 || !strings.Contains(out, "PROBLEMS") || !strings.Contains(out, "does not verify") {
		t.Errorf("audit after corrupting a transaction row: exit %d\n%s", code, out)
	}
}

func BenchmarkCheckOffline(b *testing.B) {
	bx := meteringtest.Start(b)
	svc, owner, m := setupBench(b, bx)
	p, err := svc.Purchase(context.Background(), owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}})
	if err != nil {
		b.Fatal(err)
	}
	in, _ := indicium.Parse(p.Labels[0].Indicium)
	keys, _ := bx.Client.Certificates(context.Background())
	certs, err := indicium.ParseCertificatesPEM(append(append([]byte{}, keys.RootCertPEM...), m.CertPEM...))
	if err != nil {
		b.Fatal(err)
	}
	text := in.Text()
	pin := sha256.Sum256(certs[0].Raw)
	b.ResetTimer()
	for b.Loop() {
		if _, err := metering.CheckOffline(text, certs, pin); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify is the server-side check: signature, stored indicium, log row.
func BenchmarkVerify(b *testing.B) {
	bx := meteringtest.Start(b)
	svc, owner, _ := setupBench(b, bx)
	p, err := svc.Purchase(context.Background(), owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{piece(78)}})
	if err != nil {
		b.Fatal(err)
	}
	in, _ := indicium.Parse(p.Labels[0].Indicium)
	req := metering.VerifyRequest{Text: in.Text(), PieceRef: "P1"}
	b.ResetTimer()
	for b.Loop() {
		if v, err := svc.Verify(context.Background(), staff, req); err != nil || v.Result != metering.ResultValid {
			b.Fatal(v.Result, err)
		}
	}
}

func setupBench(b *testing.B, bx *meteringtest.Box) (*metering.Service, accounts.User, metering.Meter) {
	b.Helper()
	pool := dbtest.New(b)
	rdb, prefix := dbtest.Redis(b)
	acc, err := accounts.New(pool, rdb, accounts.Options{RedisPrefix: prefix})
	if err != nil {
		b.Fatal(err)
	}
	owner, acct, err := acc.SignUp(context.Background(), accounts.SignUpInput{Name: "Bea Bench", Company: "Bench Co", Email: "bea@example.com",
		Password: "long enough password", Address: accounts.Address{Line1: "1 Main St", City: "Stamford", State: "CT", ZIP: "06901"}})
	if err != nil {
		b.Fatal(err)
	}
	svc := metering.New(pool, bx.Client, metering.Options{})
	m, err := svc.Provision(context.Background(), acct.ID, acct.OriginZIP)
	if err == nil {
		m, err = svc.Credit(context.Background(), accounts.System, m.ID, 1000, metering.CreditAdmin, "")
	}
	if err != nil {
		b.Fatal(err)
	}
	return svc, owner, m
}
