package box

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/pkcs11"
)

// The box tests run against the file keystore, or, with
// BOX_TEST_KEYSTORE=pkcs11, against a SoftHSM2 token made for each test
// (scripts/services.sh installs softhsm2 for tests). SoftHSM2 keeps its
// tokens in a directory of this test binary's own (SOFTHSM2_CONF, set by
// setupSoftHSM), never in the system's.
const (
	testSOPIN    = "test-so-pin-1234"
	testTokenPIN = "test-user-pin-5678"
)

func testKeystoreKind() string {
	if os.Getenv("BOX_TEST_KEYSTORE") == KeystorePKCS11 {
		return KeystorePKCS11
	}
	return KeystoreFile
}

func softHSMModule() string {
	return envOr(os.Getenv, "PKCS11_MODULE", "/usr/lib/softhsm/libsofthsm2.so")
}

// setupSoftHSM points SoftHSM2 at a temporary token directory for this
// process and the box processes it starts; it returns the cleanup.
func setupSoftHSM() func() {
	if _, err := os.Stat(softHSMModule()); err != nil {
		return func() {}
	}
	dir, err := os.MkdirTemp("", "indicia-softhsm-")
	if err != nil {
		panic(err)
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	tokens := filepath.Join(dir, "tokens")
	if err := os.Mkdir(tokens, 0o700); err != nil {
		panic(err)
	}
	if err := os.WriteFile(conf, fmt.Appendf(nil, "directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n", tokens), 0o600); err != nil {
		panic(err)
	}
	os.Setenv("SOFTHSM2_CONF", conf)
	return func() { os.RemoveAll(dir) }
}

// needToken skips a token test where SoftHSM2 is not installed, except
// under CI, where a missing module is a failure.
func needToken(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(softHSMModule()); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("SoftHSM2 missing (%v): scripts/services.sh up test installs it", err)
		}
		t.Skipf("SoftHSM2 not installed (%v)", err)
	}
}

var tokenSeq atomic.Int64

// newTestToken initialises a fresh token (label, SO PIN, user PIN) in the
// free slot, in this process so the box's later sessions see it.
func newTestToken(t testing.TB) TokenConfig {
	t.Helper()
	needToken(t)
	cfg := TokenConfig{Module: softHSMModule(), Label: fmt.Sprintf("t%d-%d", os.Getpid(), tokenSeq.Add(1)), PIN: testTokenPIN}
	p := pkcs11.New(cfg.Module)
	if p == nil {
		t.Fatalf("cannot load %s", cfg.Module)
	}
	defer p.Destroy()
	err := p.Initialize()
	mine := err == nil
	if err != nil && !errors.Is(err, pkcs11.Error(pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED)) {
		t.Fatal(err)
	}
	if mine { // leave the library as found: crypto11 initialises it itself
		defer p.Finalize()
	}
	slots, err := p.GetSlotList(false)
	if err != nil {
		t.Fatal(err)
	}
	for _, slot := range slots {
		info, err := p.GetTokenInfo(slot)
		if err != nil || info.Flags&pkcs11.CKF_TOKEN_INITIALIZED != 0 {
			continue
		}
		if err := p.InitToken(slot, testSOPIN, cfg.Label); err != nil {
			t.Fatal(err)
		}
		s, err := p.OpenSession(slot, pkcs11.CKF_SERIAL_SESSION|pkcs11.CKF_RW_SESSION)
		if err != nil {
			t.Fatal(err)
		}
		defer p.CloseSession(s)
		if err := p.Login(s, pkcs11.CKU_SO, testSOPIN); err != nil {
			t.Fatal(err)
		}
		defer p.Logout(s)
		if err := p.InitPIN(s, cfg.PIN); err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	t.Fatal("SoftHSM2 has no free slot")
	return cfg
}

// newTokenEnv is newEnv with the keys in a fresh SoftHSM2 token.
func newTokenEnv(t testing.TB, macMonth time.Time) env {
	t.Helper()
	e := newDirs(t)
	e.kind, e.token = KeystorePKCS11, newTestToken(t)
	ops, err := InitToken(e.token, macMonth)
	if err != nil {
		t.Fatal(err)
	}
	ops.Close()
	return e
}

// keysEnv is the environment naming the env's keystore, for the keys CLI
// and box processes.
func (e env) keysEnv() map[string]string {
	if e.kind == KeystorePKCS11 {
		return map[string]string{"KEYSTORE": KeystorePKCS11, "PKCS11_MODULE": e.token.Module,
			"PKCS11_TOKEN_LABEL": e.token.Label, "PKCS11_PIN": e.token.PIN}
	}
	return map[string]string{"BOX_KEYSTORE": e.keystore, "BOX_PASSPHRASE": testPass}
}

// openKeys opens the env's keystore as a box would.
func (e env) openKeys(t testing.TB) KeyOps {
	t.Helper()
	ops, err := openKeyOps(e.config())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ops.Close() })
	return ops
}
