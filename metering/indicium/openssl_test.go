package indicium

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestOpenSSLVerifies follows the recipe of docs/INDICIUM.md with the
// openssl command line: chain the meter certificate to the root, rebuild
// the DER signature from r||s, verify the signed bytes.
func TestOpenSSLVerifies(t *testing.T) {
	t.Run("v2 domestic", func(t *testing.T) { checkOpenSSL(t, "") })
	t.Run("v3 abroad", func(t *testing.T) { checkOpenSSL(t, "CA") })
}

func checkOpenSSL(t *testing.T, country string) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not on PATH")
	}
	dir := t.TempDir()
	rootKey, meterKey := newKey(t), newKey(t)
	now := time.Now()
	rootTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test Root"},
		NotBefore: now.Add(-48 * time.Hour), NotAfter: now.AddDate(1, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	rootDER, err := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, &rootKey.PublicKey, rootKey)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := x509.ParseCertificate(rootDER)
	f := testFields(t, meterKey)
	f.MailingDate = now
	if country != "" {
		f.Country, f.DestZIP, f.MailClass = country, "K1M 1M4", "FCMI_LETTER"
	}
	meterTmpl := &x509.Certificate{SerialNumber: new(big.Int).SetBytes(f.CertSerial), Subject: pkix.Name{CommonName: f.MeterSerial},
		NotBefore: now.Add(-48 * time.Hour), NotAfter: now.AddDate(1, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature,
		SubjectKeyId: f.KeyID[:]}
	meterDER, err := x509.CreateCertificate(rand.Reader, meterTmpl, root, &meterKey.PublicKey, rootKey)
	if err != nil {
		t.Fatal(err)
	}
	meter, _ := x509.ParseCertificate(meterDER)
	in, err := Sign(f, meterKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyWithCertificates(in, root, meter); err != nil {
		t.Fatal(err)
	}
	if want := map[string]byte{"": Version2, "CA": Version3}[country]; in.Version != want {
		t.Fatalf("signed version %d, want %d", in.Version, want)
	}

	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	openssl := func(args ...string) string {
		out, err := exec.Command("openssl", args...).CombinedOutput()
		if err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	rootPEM := write("root.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: rootDER}))
	meterPEM := write("meter.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: meterDER}))
	n := len(in.Bytes())

	openssl("verify", "-CAfile", rootPEM, meterPEM)
	// The pinned fingerprint and the certificate serial, as the doc reads them with openssl.
	fp, err := ParseFingerprint(openssl("x509", "-in", rootPEM, "-noout", "-fingerprint", "-sha256"))
	if err != nil || hex.EncodeToString(fp[:]) != Fingerprint(root) {
		t.Fatalf("openssl fingerprint %x, Fingerprint %s (%v)", fp, Fingerprint(root), err)
	}
	if out := openssl("x509", "-in", meterPEM, "-noout", "-serial"); !strings.EqualFold(strings.TrimSpace(out), "serial="+hex.EncodeToString(in.CertSerial)) {
		t.Fatalf("openssl serial %q, indicium certificate serial %x", out, in.CertSerial)
	}
	openssl("x509", "-in", meterPEM, "-pubkey", "-noout", "-out", filepath.Join(dir, "meter.pub"))
	// Split the indicium: signed part and r||s, as the doc shows with head/tail.
	signed := write("signed.bin", in.Bytes()[:n-SignatureSize])
	sig := in.Bytes()[n-SignatureSize:]
	cnf := write("sig.cnf", fmt.Appendf(nil, "asn1=SEQUENCE:sig\n[sig]\nr=INTEGER:0x%s\ns=INTEGER:0x%s\n",
		hex.EncodeToString(sig[:32]), hex.EncodeToString(sig[32:])))
	openssl("asn1parse", "-genconf", cnf, "-out", filepath.Join(dir, "sig.der"), "-noout")
	out := openssl("dgst", "-sha256", "-verify", filepath.Join(dir, "meter.pub"), "-signature", filepath.Join(dir, "sig.der"), signed)
	if out != "Verified OK\n" {
		t.Fatalf("openssl: %q", out)
	}
	// A flipped bit in the signed part fails under OpenSSL too.
	bad := append([]byte(nil), in.Bytes()[:n-SignatureSize]...)
	bad[10] ^= 1
	badPath := write("bad.bin", bad)
	if err := exec.Command("openssl", "dgst", "-sha256", "-verify", filepath.Join(dir, "meter.pub"), "-signature", filepath.Join(dir, "sig.der"), badPath).Run(); err == nil {
		t.Fatal("openssl verified a modified indicium")
	}
	// Our DER form is what openssl built.
	der, _ := os.ReadFile(filepath.Join(dir, "sig.der"))
	if string(der) != string(in.SignatureDER()) {
		t.Fatal("SignatureDER differs from openssl's encoding")
	}
}
