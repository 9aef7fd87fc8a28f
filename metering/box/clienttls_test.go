package box

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A box with BOX_CLIENT_ADDR serves a client on another host over mutual
// TLS with a certificate its vendor root issued, as over its socket; a
// client certificate from another vendor root, and a client without one,
// are refused in the handshake.
func TestClientOverMutualTLS(t *testing.T) {
	e := newFileEnv(t, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg := e.config()
	cfg.ClientAddr = addr
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- RunServer(ctx, cfg) }()
	t.Cleanup(func() { cancel(); <-done })
	local := dialWait(t, e.socket, done)
	defer local.Close()

	files := func(ops KeyOps, dir string) *ClientTLS {
		t.Helper()
		certPEM, keyPEM, err := IssueClientCertificate(ops, "serve-a", time.Now(), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		pk, err := publicKeys(ops)
		if err != nil {
			t.Fatal(err)
		}
		ct := &ClientTLS{CertFile: filepath.Join(dir, "cert.pem"), KeyFile: filepath.Join(dir, "key.pem"), RootFile: filepath.Join(dir, "root.pem")}
		for f, b := range map[string][]byte{ct.CertFile: certPEM, ct.KeyFile: keyPEM, ct.RootFile: pk.RootCertPEM} {
			if err := os.WriteFile(f, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return ct
	}
	good := files(e.openKeys(t), t.TempDir())
	c, err := DialTLS(TLSPrefix+addr, good)
	if err != nil {
		t.Fatalf("dial over TLS: %v", err)
	}
	defer c.Close()
	rec, _, err := c.CreateMeter(context.Background(), "TLS-1", "MFG", 1)
	if err != nil {
		t.Fatalf("create a meter over TLS: %v", err)
	}
	if err := local.VerifyRecord(context.Background(), rec); err != nil {
		t.Fatalf("the record made over TLS does not verify on the socket: %v", err)
	}

	// A certificate another vendor root issued.
	other := newFileEnv(t, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	stranger := files(other.openKeys(t), t.TempDir())
	otherRoot := stranger.RootFile
	stranger.RootFile = good.RootFile // it trusts the right box
	if c, err := DialTLS(TLSPrefix+addr, stranger); err == nil {
		_, _, err = c.CreateMeter(context.Background(), "TLS-2", "MFG", 1)
		c.Close()
		if err == nil {
			t.Fatal("a client certificate from another vendor root was served")
		}
	}
	// The box of another vendor root is not trusted by the client.
	if c, err := DialTLS(TLSPrefix+addr, &ClientTLS{CertFile: good.CertFile, KeyFile: good.KeyFile, RootFile: otherRoot}); err == nil {
		c.Close()
		t.Fatal("a box whose certificate does not chain to BOX_TLS_ROOT was dialled")
	}
	// No client certificate at all.
	if _, err := Dial(TLSPrefix + addr); err == nil || !strings.Contains(err.Error(), "BOX_TLS_CERT") {
		t.Fatalf("a TLS box without client files: %v", err)
	}
}
