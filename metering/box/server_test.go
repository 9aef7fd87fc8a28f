package box

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
		cfg.StateDir != DefaultStateDir || cfg.AllowedUIDs != nil {
		t.Fatalf("config: %+v", cfg)
	}
	if _, err := ConfigFromEnv(func(string) string { return "" }); err == nil {
		t.Fatal("config without a passphrase accepted")
	}
	cfg, err = ConfigFromEnv(func(k string) string {
		return map[string]string{"BOX_PASSPHRASE": "x", "BOX_ALLOWED_UIDS": "1001, 0,root", "BOX_SOCKET": "/s"}[k]
	})
	if err != nil || !slices.Equal(cfg.AllowedUIDs, []uint32{1001, 0, 0}) || cfg.SocketPath != "/s" {
		t.Fatalf("config: %+v %v", cfg, err)
	}
	for in, want := range map[string]string{
		"BOX_ALLOWED_UIDS": "not-a-user-here",
		"BOX_ALLOWED_UID":  "BOX_ALLOWED_UIDS",
	} {
		_, err := ConfigFromEnv(func(k string) string { return map[string]string{"BOX_PASSPHRASE": "x", in: "not-a-user-here"}[k] })
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s=not-a-user-here: %v, want an error naming %q", in, err, want)
		}
	}
}

// A peer whose uid the kernel reports as not allowed is refused, every
// operation alike, with an error that says why; nothing it asks is done.
func TestPeerCredentialsRefuseOtherUsers(t *testing.T) {
	e := newEnv(t, time.Now())
	b, err := NewWithKeys(e.openKeys(t), t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	rec, _, err := b.CreateMeter("PB-REFUSE-1", "MFG-1", 1)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := listen(e.socket)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	other := uint32(os.Getuid()) + 1
	s := &server{box: b, log: slog.New(slog.DiscardHandler), uids: []uint32{other}}
	done := make(chan error, 1)
	go func() { done <- s.serve(ctx, ln) }()
	defer func() { cancel(); <-done }()

	wantMsg := fmt.Sprintf("uid %d is not allowed to use this box (BOX_ALLOWED_UIDS allows [%d])", os.Getuid(), other)
	if c, err := Dial(e.socket); err == nil {
		c.Close()
		t.Fatal("Dial succeeded on a box that does not serve this uid")
	} else if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), wantMsg) {
		t.Fatalf("Dial: %v, want ErrRefused saying %q", err, wantMsg)
	}

	// A client that skips Dial's Hello gets the refusal on each operation.
	c := &Client{paths: []string{e.socket}}
	defer c.Close()
	pctx, pcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer pcancel()
	ops := map[string]func() error{
		"Credit": func() error { _, _, err := c.Credit(pctx, rec, 100_00, "T-REFUSED"); return err },
		"Ping":   func() error { return c.Ping(pctx) },
		"Pepper": func() error { _, err := c.Pepper(pctx, []byte("password")); return err },
		"Certificates": func() error {
			_, err := c.Certificates(pctx)
			return err
		},
		"Dispense": func() error {
			_, err := c.Dispense(pctx, rec, []Piece{{Postage: 78}})
			return err
		},
		"SignTransaction": func() error { _, err := c.SignTransaction(pctx, "login", []byte("{}"), nil); return err },
	}
	for name, op := range ops {
		if err := op(); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), wantMsg) {
			t.Errorf("%s: %v, want ErrRefused saying %q", name, err, wantMsg)
		}
	}
	// The credit was not carried out: the box still holds the meter at counter 0.
	if err := b.VerifyRecord(rec); err != nil {
		t.Fatalf("the meter's first record is no longer current: %v", err)
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

// A socket directory open to a group hands the socket to that group (0660);
// one open to others is refused.
func TestSocketModeFollowsDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "g")
	if err := os.Mkdir(dir, 0o710); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o710) // whatever the umask
	ln, err := listen(filepath.Join(dir, "box.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	fi, err := os.Stat(filepath.Join(dir, "box.sock"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o660 {
		t.Errorf("socket mode %o in a 0710 directory, want 660", fi.Mode().Perm())
	}
	open := filepath.Join(t.TempDir(), "o")
	if err := os.Mkdir(open, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(open, 0o755)
	if ln, err := listen(filepath.Join(open, "box.sock")); err == nil {
		ln.Close()
		t.Fatal("a socket directory open to others was accepted")
	} else if !strings.Contains(err.Error(), "mode 755") {
		t.Fatalf("error %v does not name the mode", err)
	}
}
