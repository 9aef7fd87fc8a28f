package metering_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"indicia/metering"
	"indicia/metering/box"
	"indicia/metering/indicium"
	"indicia/metering/meteringtest"
)

func rootFingerprint(t *testing.T, rootPEM []byte) string {
	t.Helper()
	certs, err := indicium.ParseCertificatesPEM(rootPEM)
	if err != nil {
		t.Fatal(err)
	}
	return indicium.Fingerprint(certs[0])
}

// forgery is an attacker's self-made root, a meter certificate under it
// with the genuine meter's name and certificate serial, and an indicium it
// signed: what a tampered bundle could smuggle in.
func forgery(t *testing.T, genuine indicium.Indicium) (bundlePEM []byte, forged indicium.Indicium) {
	t.Helper()
	rootKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	meterKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	rootTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Indicia vendor root"},
		NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(1, 0, 0), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	rootDER, err := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, &rootKey.PublicKey, rootKey)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := x509.ParseCertificate(rootDER)
	meterTmpl := &x509.Certificate{SerialNumber: new(big.Int).SetBytes(genuine.CertSerial), Subject: pkix.Name{CommonName: genuine.MeterSerial},
		NotBefore: now.AddDate(-1, 0, 0), NotAfter: now.AddDate(1, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature}
	meterDER, err := x509.CreateCertificate(rand.Reader, meterTmpl, root, &meterKey.PublicKey, rootKey)
	if err != nil {
		t.Fatal(err)
	}
	f := genuine.Fields
	f.Postage = 99_999
	if forged, err = indicium.Sign(f, meterKey); err != nil {
		t.Fatal(err)
	}
	bundlePEM = append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: rootDER}), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: meterDER})...)
	return bundlePEM, forged
}

// `indicia verify` anchors only at the pinned root: it refuses to run
// without a pin, refuses a bundle without the pinned root, and a bundle
// with an extra root does not make a forged indicium valid.
func TestIndiciaVerifyPinsTheRoot(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m := setup(t, b, 1000)
	in, _ := indicium.Parse(buyOne(t, svc, owner, 78).Indicium)
	keys, err := b.Client.Certificates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, parts ...[]byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, bytes.Join(parts, nil), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	fp := rootFingerprint(t, keys.RootCertPEM)
	fakeBundle, forged := forgery(t, in)
	// The signed revocation list is read from beside the bundle.
	revocations, err := svc.RevocationList(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	write("revocations.pem", revocations)
	good := write("good.pem", keys.RootCertPEM, []byte(m.CertPEM))
	mixed := write("mixed.pem", fakeBundle, keys.RootCertPEM, []byte(m.CertPEM))
	fake := write("fake.pem", fakeBundle)
	env := []string{"INDICIA_ROOT_FINGERPRINT=" + fp}

	out, code := runIndicia(t, nil, "verify", "--certs", good, in.Text())
	if code == 0 || !strings.Contains(out, "no vendor root pinned") || !strings.Contains(out, "indicia keys fingerprint") {
		t.Errorf("no pin: exit %d\n%s", code, out)
	}
	// The flag takes OpenSSL's colon form as well.
	var colons []string
	for i := 0; i < len(fp); i += 2 {
		colons = append(colons, strings.ToUpper(fp[i:i+2]))
	}
	if out, code := runIndicia(t, nil, "verify", "--certs", good, "--root-fingerprint", "sha256 Fingerprint="+strings.Join(colons, ":"), in.Text()); code != 0 || !strings.HasPrefix(out, "VALID\n") {
		t.Errorf("pin by flag: exit %d\n%s", code, out)
	}
	if out, code := runIndicia(t, env, "verify", "--certs", fake, forged.Text()); code == 0 || !strings.Contains(out, "does not hold the pinned vendor root") {
		t.Errorf("attacker's bundle: exit %d\n%s", code, out)
	}
	if out, code := runIndicia(t, env, "verify", "--certs", mixed, forged.Text()); code != 1 || !strings.HasPrefix(out, "INVALID\n") {
		t.Errorf("forged indicium with an extra root in the bundle: exit %d\n%s", code, out)
	}
	if out, code := runIndicia(t, env, "verify", "--certs", mixed, in.Text()); code != 0 || !strings.HasPrefix(out, "VALID\n") {
		t.Errorf("genuine indicium with an extra root in the bundle: exit %d\n%s", code, out)
	}
	// The pin of another deployment's root refuses this bundle.
	other := []string{"INDICIA_ROOT_FINGERPRINT=" + strings.Repeat("ab", 32)}
	if out, code := runIndicia(t, other, "verify", "--certs", good, in.Text()); code == 0 || !strings.Contains(out, fp) {
		t.Errorf("wrong pin: exit %d (the message should name the bundle's root)\n%s", code, out)
	}
	for _, u := range []string{"http://certs.example.com", "ftp://localhost/x", "http://127.0.0.2:1/"} {
		if out, code := runIndicia(t, env, "verify", "--certs", filepath.Join(dir, "x.pem"), "--certs-url", u, in.Text()); code == 0 || !strings.Contains(out, "https") {
			t.Errorf("--certs-url %s: exit %d\n%s", u, code, out)
		}
	}
}

func TestVerifyRefusesHighSTwin(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, _ := setup(t, b, 1000)
	in, _ := indicium.Parse(buyOne(t, svc, owner, 78).Indicium)
	v := verify(t, svc, metering.VerifyRequest{Text: highSTwin(in).Text(), PieceRef: "P1"})
	if v.Result != metering.ResultInvalid || !strings.Contains(v.Reason, "high-S") {
		t.Errorf("high-S twin: %s %q", v.Result, v.Reason)
	}
	if v := verify(t, svc, metering.VerifyRequest{Text: in.Text(), PieceRef: "P1"}); v.Result != metering.ResultValid {
		t.Errorf("genuine after its twin: %s %q", v.Result, v.Reason)
	}
}

// New labels are version 2: they carry the descending register, the
// software identifier and the meter certificate's serial, and the verifier
// shows them.
func TestIssuedIndiciumIsVersion2(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m := setup(t, b, 1000)
	in, _ := indicium.Parse(buyOne(t, svc, owner, 78).Indicium)
	v := verify(t, svc, metering.VerifyRequest{Text: in.Text()})
	d := v.Fields
	if v.Result != metering.ResultValid || d == nil {
		t.Fatalf("verify: %s %q", v.Result, v.Reason)
	}
	certs, err := indicium.ParseCertificatesPEM([]byte(m.CertPEM))
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != 2 || d.DR == nil || *d.DR != 1000-78 || d.AR != 78 || d.Software != box.SoftwareID ||
		d.CertSerial != hex.EncodeToString(certs[0].SerialNumber.Bytes()) || d.KeyID != "" || d.MailClass != "FCM_LETTER" {
		t.Errorf("decoded %+v (DR %v)", d, d.DR)
	}
	if v.Warning != "" {
		t.Errorf("a label dated today has a warning: %q", v.Warning)
	}
}

// A piece dated ahead is flagged on the server and offline, not silently valid.
func TestMailingDateOutsideWindowIsFlagged(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m := setup(t, b, 1000)
	p := piece(78)
	p.MailingDate = time.Now().UTC().AddDate(0, 0, 10)
	res, err := svc.Purchase(context.Background(), owner, metering.PurchaseRequest{Pieces: []metering.PieceRequest{p}})
	if err != nil {
		t.Fatal(err)
	}
	in, _ := indicium.Parse(res.Labels[0].Indicium)
	v := verify(t, svc, metering.VerifyRequest{Text: in.Text()})
	if v.Result != metering.ResultValid || !strings.Contains(v.Warning, "in the future") {
		t.Errorf("dated ahead: %s, warning %q", v.Result, v.Warning)
	}
	keys, _ := b.Client.Certificates(context.Background())
	certs := filepath.Join(t.TempDir(), "certs.pem")
	if err := os.WriteFile(certs, append(append([]byte{}, keys.RootCertPEM...), m.CertPEM...), 0o600); err != nil {
		t.Fatal(err)
	}
	revocations, err := svc.RevocationList(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(certs), "revocations.pem"), revocations, 0o600); err != nil {
		t.Fatal(err)
	}
	out, code := runIndicia(t, []string{"INDICIA_ROOT_FINGERPRINT=" + rootFingerprint(t, keys.RootCertPEM)}, "verify", "--certs", certs, in.Text())
	if code != 0 || !strings.Contains(out, "\nwarning           The date of mailing "+in.MailingDate.Format(time.DateOnly)+" is in the future") {
		t.Errorf("offline, dated ahead: exit %d\n%s", code, out)
	}
}

func TestMailingDateWarning(t *testing.T) {
	now := time.Date(2026, 12, 4, 23, 30, 0, 0, time.UTC)
	day := func(d int) time.Time { return time.Date(2026, 12, 4+d, 0, 0, 0, 0, time.UTC) }
	for _, c := range []struct {
		offset int
		want   string
	}{
		{-30, ""}, {-1, ""}, {0, ""}, {1, ""},
		{-31, "more than 30 days ago"}, {2, "in the future"}, {30, "in the future"}, {31, "more than 30 days ahead"},
	} {
		got := metering.MailingDateWarning(day(c.offset), now)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("date today%+d: %q, want %q", c.offset, got, c.want)
		}
	}
}
