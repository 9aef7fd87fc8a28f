package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"indicia/db/dbtest"
	"indicia/metering/box"
	"indicia/metering/meteringtest"
)

// The production shape on one host: the box runs as its own user with the
// keystore and passphrase file mode 0600, serve runs as another user that
// the box lets in (BOX_ALLOWED_UIDS), and serve cannot open the key
// material even when it is told where it is.
func TestServeAsAnotherUserCannotReadKeyMaterial(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the test runs serve as uid 65534 (nobody) and the box as root")
	}
	const nobody = 65534
	_, prefix := dbtest.Redis(t)
	dbURL := dbtest.NewURL(t)

	// A directory everyone may cross but only root may list, holding the
	// box's files (root's, 0600) and a copy of the binary nobody may run.
	top, err := os.MkdirTemp("", "ikg")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(top) })
	must(t, os.Chmod(top, 0o711))
	bin := filepath.Join(top, "indicia")
	copyFile(t, meteringtest.Binary(t), bin, 0o755)
	keystore, passFile := filepath.Join(top, "keystore.bin"), filepath.Join(top, "box-passphrase")
	must(t, os.WriteFile(passFile, []byte(meteringtest.Passphrase+"\n"), 0o600))
	ks, err := box.NewKeystore(time.Now().UTC())
	must(t, err)
	must(t, ks.Save(keystore, []byte(meteringtest.Passphrase)))
	for _, f := range []string{keystore, passFile} {
		fi, err := os.Stat(f)
		must(t, err)
		if fi.Mode().Perm() != 0o600 || fi.Sys().(*syscall.Stat_t).Uid != 0 {
			t.Fatalf("%s: mode %o owner %d, want 0600 root's", f, fi.Mode().Perm(), fi.Sys().(*syscall.Stat_t).Uid)
		}
	}
	// The socket directory lets nobody's group in; the box gives the socket to that group.
	sockDir := filepath.Join(top, "s")
	must(t, os.Mkdir(sockDir, 0o710))
	must(t, os.Chown(sockDir, 0, nobody))
	must(t, os.Chmod(sockDir, 0o710))
	varDir := filepath.Join(top, "var")
	must(t, os.Mkdir(varDir, 0o700))
	must(t, os.Chown(varDir, nobody, nobody))
	socket := filepath.Join(sockDir, "box.sock")

	boxCmd := exec.Command(bin, "box")
	boxCmd.Env = []string{"BOX_SOCKET=" + socket, "BOX_KEYSTORE=" + keystore, "BOX_PASSPHRASE_FILE=" + passFile,
		"BOX_STATE_DIR=" + filepath.Join(top, "state"), "BOX_ALLOWED_UIDS=65534", "LOG_LEVEL=warn"}
	var boxOut syncBuffer
	boxCmd.Stderr = &boxOut
	must(t, boxCmd.Start())
	t.Cleanup(func() { boxCmd.Process.Kill(); boxCmd.Wait() })

	addr := freeAddr(t)
	serve := exec.Command(bin, "serve")
	serve.Dir = top
	serve.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	serve.Env = []string{"PATH=/usr/bin:/bin", "HTTP_ADDR=" + addr, "BASE_URL=http://" + addr, "DATABASE_URL=" + dbURL,
		"REDIS_URL=" + redisURL(), "REDIS_PREFIX=" + prefix, "BOX_SOCKET=" + socket, "INDICIA_VAR=" + varDir,
		"SMTP_URL=smtp://127.0.0.1:1", "LOG_FORMAT=text",
		// As a misconfigured deployment would: serve is told where the key material is.
		"BOX_KEYSTORE=" + keystore, "BOX_PASSPHRASE_FILE=" + passFile}
	var serveOut syncBuffer
	serve.Stdout, serve.Stderr = &serveOut, &serveOut
	must(t, serve.Start())
	exited := make(chan struct{})
	var exitErr error
	go func() { exitErr = serve.Wait(); close(exited) }()
	t.Cleanup(func() {
		serve.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			serve.Process.Kill()
			<-exited
		}
	})

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break // serve reaches PostgreSQL, Redis and the box as nobody
			}
		}
		select {
		case <-exited:
			t.Fatalf("serve exited: %v\nserve:\n%s\nbox:\n%s", exitErr, serveOut.String(), boxOut.String())
		case <-ctx.Done():
			t.Fatalf("serve is not ready\nserve:\n%s\nbox:\n%s", serveOut.String(), boxOut.String())
		case <-time.After(200 * time.Millisecond):
		}
	}

	log := serveOut.String()
	for _, f := range []string{keystore, passFile} {
		line := lineWith(log, "path="+f, "key material")
		if !strings.Contains(line, "cannot read the box's key material") || !strings.Contains(line, "permission denied") {
			t.Errorf("serve does not report that opening %s was denied; its line: %q\nlog:\n%s", f, line, log)
		}
	}
	if strings.Contains(log, "can read the box's key material") {
		t.Errorf("serve could read key material:\n%s", log)
	}
	for _, v := range []string{"BOX_KEYSTORE", "BOX_PASSPHRASE_FILE"} {
		if lineWith(log, "variable="+v, "dropped") == "" {
			t.Errorf("serve does not say it dropped %s:\n%s", v, log)
		}
	}

	// A process of a uid the box does not list (root here) is refused, and says why.
	other := exec.Command(bin, "serve")
	other.Dir = top
	other.Env = append(slices.Clone(serve.Env), "HTTP_ADDR="+freeAddr(t))
	out, err := other.CombinedOutput()
	want := "connection refused: uid 0 is not allowed to use this box (BOX_ALLOWED_UIDS allows [65534])"
	if err == nil || !strings.Contains(string(out), want) {
		t.Errorf("serve as root: %v, want a refusal saying %q:\n%s", err, want, out)
	}
}

// lineWith returns the first log line holding both a and b.
func lineWith(log, a, b string) string {
	for l := range strings.Lines(log) {
		if strings.Contains(l, a) && strings.Contains(l, b) {
			return l
		}
	}
	return ""
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	in, err := os.Open(from)
	must(t, err)
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	must(t, err)
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	must(t, out.Close())
	must(t, os.Chmod(to, mode))
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

func redisURL() string {
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// syncBuffer collects a child's output while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
