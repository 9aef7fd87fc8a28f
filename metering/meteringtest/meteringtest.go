// Package meteringtest runs a real secure box for tests: a fresh keystore, the
// box server on its own unix socket, and a connected client. StartProcess runs
// the box as a separate OS process (the indicia binary built once per test
// run) so a test can kill it.
package meteringtest

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"indicia/metering/box"
)

// Passphrase of the test keystores.
const Passphrase = "test keystore passphrase"

// Box is a running box for one test.
type Box struct {
	Client   *box.Client
	Dir      string
	Socket   string
	Keystore string
	State    string
	cmd      *exec.Cmd
	exited   chan error
}

func newDirs(t testing.TB) *Box {
	t.Helper()
	// Unix socket paths are limited to about 100 bytes: keep the directory short.
	dir, err := os.MkdirTemp("", "ibox")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	b := &Box{Dir: dir, Socket: filepath.Join(dir, "s", "box.sock"), Keystore: filepath.Join(dir, "keystore.bin"), State: filepath.Join(dir, "state")}
	// A cheap passphrase key: the production cost (argon2id, 64 MiB, three
	// passes) would be paid twice by each of the hundreds of boxes the tests
	// start, and protects nothing in a temporary directory.
	ks, err := box.NewKeystore(time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	if err := ks.SaveWithCost(b.Keystore, []byte(Passphrase), box.KDFCost{Time: 1, MemoryKB: 8 * 1024}); err != nil {
		t.Fatal(err)
	}
	return b
}

// Start runs the box server in this process (on a real socket) until the test ends.
func Start(t testing.TB) *Box {
	t.Helper()
	b := newDirs(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- box.RunServer(ctx, box.Config{SocketPath: b.Socket, KeystorePath: b.Keystore, Passphrase: []byte(Passphrase),
			StateDir: b.State, Logger: slog.New(slog.DiscardHandler)})
	}()
	b.Client = dial(t, b.Socket, done)
	t.Cleanup(func() { b.Client.Close(); cancel(); <-done })
	return b
}

func dial(t testing.TB, socket string, done <-chan error) *box.Client {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(socket); err == nil {
			c, err := box.Dial(socket)
			if err == nil {
				if err := c.Ping(context.Background()); err == nil {
					return c
				}
				c.Close()
			}
		}
		select {
		case err := <-done:
			t.Fatalf("box stopped: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("box did not come up")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Binary builds the indicia command once per test process and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "indicia-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "indicia")
		out, err := exec.Command("go", "build", "-o", binPath, "indicia/cmd/indicia").CombinedOutput()
		if err != nil {
			buildErr = &buildError{err, string(out)}
		}
	})
	if buildErr != nil {
		t.Fatalf("build indicia: %v", buildErr)
	}
	return binPath
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// StartProcess runs `indicia box` as a child process; Kill ends it with SIGKILL
// and Restart starts it again on the same keystore and freshness store.
func StartProcess(t testing.TB) *Box {
	t.Helper()
	b := newDirs(t)
	b.spawn(t)
	t.Cleanup(func() {
		if b.Client != nil {
			b.Client.Close()
		}
		b.Kill()
	})
	return b
}

func (b *Box) spawn(t testing.TB) {
	t.Helper()
	cmd := exec.Command(Binary(t), "box")
	cmd.Env = append(os.Environ(), "BOX_SOCKET="+b.Socket, "BOX_KEYSTORE="+b.Keystore, "BOX_PASSPHRASE="+Passphrase, "BOX_STATE_DIR="+b.State,
		"LOG_LEVEL=warn")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	b.cmd = cmd
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	b.exited = done
	if b.Client == nil {
		b.Client = dial(t, b.Socket, done)
	} else {
		// The existing client redials by itself; wait until the box answers.
		deadline := time.Now().Add(10 * time.Second)
		for b.Client.Ping(context.Background()) != nil {
			if time.Now().After(deadline) {
				t.Fatal("restarted box does not answer")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// Kill ends the box process at once.
func (b *Box) Kill() {
	if b.cmd != nil && b.cmd.Process != nil {
		b.cmd.Process.Signal(syscall.SIGKILL)
		<-b.exited
		b.cmd = nil
	}
}

// Restart starts a killed box process again.
func (b *Box) Restart(t testing.TB) { b.spawn(t) }
