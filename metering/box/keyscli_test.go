package box

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"path/filepath"
	"strings"
	"testing"

	"indicia/metering/indicium"
)

func parsePublicKeyPEM(t testing.TB, data []byte) *ecdsa.PublicKey {
	t.Helper()
	blk, _ := pem.Decode(data)
	if blk == nil || blk.Type != "PUBLIC KEY" {
		t.Fatalf("no PUBLIC KEY block in %q", data)
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(*ecdsa.PublicKey)
}

func TestKeysCLI(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ks", "keystore.bin")
	envs := map[string]string{"BOX_KEYSTORE": path, "BOX_PASSPHRASE": testPass}
	env := func(k string) string { return envs[k] }
	run := func(args ...string) (string, error) {
		var out, errOut strings.Builder
		err := RunKeysCLI(args, env, &out, &errOut)
		return out.String() + errOut.String(), err
	}
	if _, err := run("init"); err != nil {
		t.Fatal(err)
	}
	if _, err := run("init"); err == nil {
		t.Fatal("init overwrote an existing keystore")
	}
	out, err := run("export-public")
	if err != nil {
		t.Fatal(err)
	}
	root, err := indicium.ParseCertificatesPEM([]byte(out))
	if err != nil || !root[0].IsCA || root[0].CheckSignatureFrom(root[0]) != nil {
		t.Fatalf("export-public root certificate: %v", err)
	}
	_, rest := pem.Decode([]byte(out))
	parsePublicKeyPEM(t, rest)
	if strings.Contains(out, "PRIVATE") {
		t.Fatal("export-public printed private key material")
	}
	fp := indicium.Fingerprint(root[0])
	if !strings.Contains(out, "vendor root SHA-256 fingerprint: "+fp) {
		t.Fatalf("export-public does not name the root fingerprint %s:\n%s", fp, out)
	}
	if got, err := run("fingerprint"); err != nil || got != fp+"\n" {
		t.Fatalf("keys fingerprint = %q, %v; want %s", got, err, fp)
	}
	envs["BOX_PASSPHRASE"] = "wrong wrong wrong"
	if _, err := run("rotate", "-month", "2099-01"); err == nil {
		t.Fatal("rotate with a wrong passphrase succeeded")
	}
	delete(envs, "BOX_PASSPHRASE")
	if _, err := run("export-public"); err == nil {
		t.Fatal("export-public without a passphrase succeeded")
	}
}
