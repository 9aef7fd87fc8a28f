package box

import (
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ThalesGroup/crypto11"
	"github.com/miekg/pkcs11"

	"indicia/metering/indicium"
)

// Every key the box keeps in the token is sensitive and not extractable:
// asked for its value, the token refuses.
func TestTokenKeysAreNotExtractable(t *testing.T) {
	e := newTokenEnv(t, time.Now())
	ops, err := OpenToken(e.token)
	if err != nil {
		t.Fatal(err)
	}
	defer ops.Close()
	tk := ops.(*tokenKeys)
	keys := map[string]any{"root": tk.root, "transaction": tk.tx, "pepper": tk.pepper}
	wrap, err := tk.ctx.FindKey(nil, []byte(tokenWrapLabel))
	if err != nil {
		t.Fatal(err)
	}
	keys["wrapping"] = wrap
	for v, k := range tk.mac {
		keys["record-MAC "+v] = k
	}
	if len(keys) != 5 {
		t.Fatalf("want 5 keys in the token, found %d", len(keys))
	}
	for name, k := range keys {
		if a, err := tk.ctx.GetAttribute(k, crypto11.CkaValue); err == nil && a != nil && len(a.Value) > 0 {
			t.Errorf("%s key: the token gave out its value (%d bytes)", name, len(a.Value))
		} else if !errors.Is(err, pkcs11.Error(pkcs11.CKR_ATTRIBUTE_SENSITIVE)) {
			t.Errorf("%s key: asking for the value: %v, want CKR_ATTRIBUTE_SENSITIVE", name, err)
		}
		attrs, err := tk.ctx.GetAttributes(k, []crypto11.AttributeType{crypto11.CkaExtractable, crypto11.CkaSensitive})
		if err != nil {
			t.Fatalf("%s key: %v", name, err)
		}
		if x := attrs[crypto11.CkaExtractable].Value; len(x) != 1 || x[0] != 0 {
			t.Errorf("%s key: CKA_EXTRACTABLE = %v", name, x)
		}
		if s := attrs[crypto11.CkaSensitive].Value; len(s) != 1 || s[0] != 1 {
			t.Errorf("%s key: CKA_SENSITIVE = %v", name, s)
		}
	}
}

// A wrong PIN stops the box at start with an error that names the setting.
func TestTokenWrongPINIsAStartupError(t *testing.T) {
	e := newTokenEnv(t, time.Now())
	cfg := e.config()
	cfg.Token.PIN = "not-the-pin-0000"
	err := RunServer(ctx, cfg)
	if !errors.Is(err, ErrTokenPIN) || !strings.Contains(err.Error(), "PKCS11_PIN") || !strings.Contains(err.Error(), "refusing to start") {
		t.Fatalf("box with a wrong PIN: %v", err)
	}
	cfg.Token.Label = "no-such-token"
	if err := RunServer(ctx, cfg); err == nil || !strings.Contains(err.Error(), "no-such-token") {
		t.Fatalf("box with an unknown token: %v", err)
	}
}

// The keys CLI works on a token: init makes the objects once, export-public
// and fingerprint show the root, rotate adds a newer month only, and a
// wrong PIN is refused.
func TestTokenKeysCLI(t *testing.T) {
	e := newDirs(t)
	e.kind, e.token = KeystorePKCS11, newTestToken(t)
	envs := e.keysEnv()
	env := func(k string) string { return envs[k] }
	run := func(args ...string) (string, error) {
		var out, errOut strings.Builder
		err := RunKeysCLI(args, env, &out, &errOut)
		return out.String() + errOut.String(), err
	}
	if out, err := run("init"); err != nil || !strings.Contains(out, e.token.Label) {
		t.Fatalf("init: %v %s", err, out)
	}
	if _, err := run("init"); err == nil {
		t.Fatal("init made a second vendor root in the token")
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
	if got, err := run("fingerprint"); err != nil || got != indicium.Fingerprint(root[0])+"\n" {
		t.Fatalf("fingerprint = %q, %v", got, err)
	}
	if _, err := run("rotate", "-month", "2099-01"); err != nil {
		t.Fatal(err)
	}
	if _, err := run("rotate", "-month", "2098-12"); err == nil {
		t.Fatal("rotate to an older month succeeded")
	}
	ops, err := openKeyOps(e.config())
	if err != nil {
		t.Fatal(err)
	}
	if vs := ops.MACVersions(); vs[len(vs)-1] != "2099-01" {
		t.Fatalf("token's versions after rotate: %v", vs)
	}
	// Closed first: while this process holds a session the token keeps it
	// logged in, and would not ask for the PIN again.
	ops.Close()
	envs["PKCS11_PIN"] = "not-the-pin-0000"
	if _, err := run("export-public"); !errors.Is(err, ErrTokenPIN) {
		t.Fatalf("export-public with a wrong PIN: %v", err)
	}
}

// Meter keys wrapped in one token open only there, and only for the meter
// and key version they were wrapped for.
func TestTokenWrapIsBoundToTokenAndMeter(t *testing.T) {
	a, b := newTokenEnv(t, time.Now()).openKeys(t), newTokenEnv(t, time.Now()).openKeys(t)
	wrapped, err := a.WrapMeterKey("IND-W1", 1, []byte("meter key material"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := a.UnwrapMeterKey("IND-W1", 1, wrapped); err != nil || string(got) != "meter key material" {
		t.Fatalf("unwrap: %q %v", got, err)
	}
	if _, err := a.UnwrapMeterKey("IND-W2", 1, wrapped); err == nil {
		t.Error("a wrapped key opened for another meter")
	}
	if _, err := a.UnwrapMeterKey("IND-W1", 2, wrapped); err == nil {
		t.Error("a wrapped key opened for another key version")
	}
	if _, err := b.UnwrapMeterKey("IND-W1", 1, wrapped); err == nil {
		t.Error("a wrapped key opened in another token")
	}
}
