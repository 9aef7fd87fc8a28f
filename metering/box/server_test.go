package box

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestConfigFromEnv(t *testing.T) {
	passFile := filepath.Join(t.TempDir(), "pass")
	if err := os.WriteFile(passFile, []byte(testPass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := ConfigFromEnv(func(k string) string { return map[string]string{"BOX_PASSPHRASE_FILE": passFile}[k] })
	if err != nil {
		t.Fatal(err)
	}
	if string(cfg.Passphrase) != testPass || cfg.SocketPath != DefaultSocketPath || cfg.KeystorePath != DefaultKeystorePath ||
		cfg.StateDir != DefaultStateDir || cfg.AllowedUID != -1 {
		t.Fatalf("config: %+v", cfg)
	}
	if _, err := ConfigFromEnv(func(string) string { return "" }); err == nil {
		t.Fatal("config without a passphrase accepted")
	}
	cfg, err = ConfigFromEnv(func(k string) string {
		return map[string]string{"BOX_PASSPHRASE": "x", "BOX_ALLOWED_UID": "1001", "BOX_SOCKET": "/s"}[k]
	})
	if err != nil || cfg.AllowedUID != 1001 || cfg.SocketPath != "/s" {
		t.Fatalf("config: %+v %v", cfg, err)
	}
}

// A peer whose uid the kernel reports as not allowed gets no answer.
func TestPeerCredentialsRefuseOtherUsers(t *testing.T) {
	e := newEnv(t, time.Now())
	ks, err := OpenKeystore(e.keystore, []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(ks, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ln, err := listen(e.socket)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{box: b, log: slog.New(slog.DiscardHandler), uids: []uint32{uint32(os.Getuid()) + 1}}
	done := make(chan error, 1)
	go func() { done <- s.serve(ctx, ln) }()
	defer func() { cancel(); <-done }()

	c, err := Dial(e.socket)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pctx, pcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer pcancel()
	if err := c.Ping(pctx); err == nil {
		t.Fatal("box answered a peer whose uid is not allowed")
	}
	if uid, err := func() (uint32, error) {
		a, bconn := socketPair(t)
		defer a.Close()
		defer bconn.Close()
		return peerUID(a)
	}(); err != nil || uid != uint32(os.Getuid()) {
		t.Fatalf("peer uid %d, %v", uid, err)
	}
}
