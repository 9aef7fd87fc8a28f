package metering_test

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"indicia/metering/box"
	"indicia/metering/meteringtest"
)

// `indicia verify` fetches the revocation list with the certificates,
// caches it beside them and answers REVOKED offline for a label dated on or
// after the revocation, VALID for one dated before; without a list, or with
// a list another root signed, it refuses to answer.
func TestIndiciaVerifyCommandRevoked(t *testing.T) {
	b := meteringtest.Start(t)
	svc, owner, m := setup(t, b, 10_000)
	ctx := context.Background()
	today := time.Now().UTC().Truncate(24 * time.Hour)
	before := buyDated(t, svc, owner, today.AddDate(0, 0, -1))
	after := buyDated(t, svc, owner, today.AddDate(0, 0, 1))
	if _, err := svc.Suspend(ctx, vendorAdmin, m.ID, box.ReasonTamper); err != nil {
		t.Fatal(err)
	}
	keys, err := b.Client.Certificates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bundle := append(append([]byte{}, keys.RootCertPEM...), m.CertPEM...)
	pin := []string{"INDICIA_ROOT_FINGERPRINT=" + rootFingerprint(t, keys.RootCertPEM)}
	list, err := svc.RevocationList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	other := meteringtest.Start(t)
	foreignDER, err := other.Client.SignRevocationList(ctx, nil, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// The list the server answers changes between runs of the command, while
	// the server's goroutines may still be reading it.
	var serve atomic.Pointer[[]byte]
	serve.Store(&list)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/indicia/certs":
			w.Write(bundle)
		case "/.well-known/indicia/revocations":
			w.Write(*serve.Load())
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	certs := filepath.Join(dir, "certs.pem")

	out, code := runIndicia(t, pin, "verify", "--certs", certs, "--certs-url", srv.URL, after)
	if code != 1 || !strings.HasPrefix(out, "REVOKED\n") || !strings.Contains(out, m.Record.Serial) {
		t.Errorf("label dated after the revocation: exit %d\n%s", code, out)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "revocations.pem")); err != nil || string(got) != string(list) {
		t.Errorf("the list was not cached beside the certificates: %v", err)
	}
	// Offline from the cache.
	if out, code := runIndicia(t, pin, "verify", "--certs", certs, before); code != 0 || !strings.HasPrefix(out, "VALID\n") {
		t.Errorf("label dated before the revocation: exit %d\n%s", code, out)
	}
	if out, code := runIndicia(t, pin, "verify", "--certs", certs, after); code != 1 || !strings.HasPrefix(out, "REVOKED\n") {
		t.Errorf("label dated after the revocation, from the cache: exit %d\n%s", code, out)
	}
	// No list: no answer.
	if out, code := runIndicia(t, pin, "verify", "--certs", certs, "--revocations", filepath.Join(dir, "none.pem"), before); code == 0 ||
		strings.HasPrefix(out, "VALID") || !strings.Contains(out, "no revocation list") {
		t.Errorf("without a list: exit %d\n%s", code, out)
	}
	// A list another vendor signed is neither saved nor used.
	foreignPEM := []byte(strings.TrimSpace(string(pemCRL(foreignDER))))
	serve.Store(&foreignPEM)
	if out, code := runIndicia(t, pin, "verify", "--certs", certs, "--certs-url", srv.URL, after); code == 0 || strings.HasPrefix(out, "VALID") ||
		!strings.Contains(out, "not signed by the vendor root") {
		t.Errorf("a foreign list: exit %d\n%s", code, out)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "revocations.pem")); string(got) != string(list) {
		t.Error("the foreign list replaced the cached one")
	}
	foreign := filepath.Join(dir, "foreign.pem")
	if err := os.WriteFile(foreign, pemCRL(foreignDER), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, code := runIndicia(t, pin, "verify", "--certs", certs, "--revocations", foreign, after); code == 0 || strings.HasPrefix(out, "VALID") {
		t.Errorf("a foreign cached list: exit %d\n%s", code, out)
	}
}

func pemCRL(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der})
}
