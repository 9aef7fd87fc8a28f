package box

import (
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"errors"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"indicia/metering/indicium"
)

const testPass = "correct horse battery staple"

// TestMain doubles as the box process for the crash test: with
// BOX_TEST_CHILD=1 the test binary runs the box server from the environment.
func TestMain(m *testing.M) {
	if os.Getenv("BOX_TEST_CHILD") == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
		defer stop()
		cfg, err := ConfigFromEnv(os.Getenv)
		if err == nil {
			err = RunServer(ctx, cfg)
		}
		if err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	cleanup := setupSoftHSM()
	code := m.Run()
	cleanup()
	os.Exit(code)
}

type env struct {
	dir, keystore, state, socket string
	kind                         string // KeystoreFile or KeystorePKCS11
	token                        TokenConfig
}

// newEnv makes a box's files and keys, in the keystore the run tests
// (BOX_TEST_KEYSTORE).
func newEnv(t testing.TB, macMonth time.Time) env {
	t.Helper()
	if testKeystoreKind() == KeystorePKCS11 {
		return newTokenEnv(t, macMonth)
	}
	return newFileEnv(t, macMonth)
}

func newDirs(t testing.TB) env {
	dir := t.TempDir()
	return env{dir: dir, keystore: filepath.Join(dir, "keystore.bin"), state: filepath.Join(dir, "state"), socket: filepath.Join(dir, "sock", "box.sock"),
		kind: KeystoreFile}
}

// newFileEnv is newEnv with the file keystore, for the tests of the file
// itself.
func newFileEnv(t testing.TB, macMonth time.Time) env {
	t.Helper()
	e := newDirs(t)
	ks, err := NewKeystore(macMonth)
	if err != nil {
		t.Fatal(err)
	}
	if err := ks.SaveWithCost(e.keystore, []byte(testPass), KDFCost{Time: 1, MemoryKB: 8 * 1024}); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e env) config() Config {
	return Config{SocketPath: e.socket, Keystore: e.kind, KeystorePath: e.keystore, Passphrase: []byte(testPass), Token: e.token,
		StateDir: e.state, Logger: slog.New(slog.DiscardHandler)}
}

// start runs the box server in-process and returns a client and a stop
// function that waits for the server to end.
func (e env) start(t testing.TB) (*Client, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- RunServer(ctx, e.config()) }()
	c := dialWait(t, e.socket, done)
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		c.Close()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("box server: %v", err)
		}
	}
	t.Cleanup(stop)
	return c, stop
}

func dialWait(t testing.TB, socket string, done <-chan error) *Client {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := Dial(socket)
		if err == nil {
			if err = c.Ping(context.Background()); err == nil {
				return c
			}
			c.Close()
		}
		select {
		case err := <-done:
			t.Fatalf("box server ended: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("box did not come up: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// meter is a test meter as the database would hold it.
type meter struct {
	rec  Record
	cert *x509.Certificate
	pub  *ecdsa.PublicKey
	txs  []TxRecord // the chain, as stored
}

func (m *meter) store(t testing.TB, rec Record, txs ...TxRecord) {
	t.Helper()
	m.rec = rec
	m.txs = append(m.txs, txs...)
}

// activeMeter creates a meter, registers it at origin, activates it and
// credits it, committing every step as serve would.
func activeMeter(t testing.TB, c *Client, serial, origin string, credit int64) *meter {
	t.Helper()
	ctx := context.Background()
	rec, certPEM, err := c.CreateMeter(ctx, serial, "MFG-"+serial, 42)
	if err != nil {
		t.Fatal(err)
	}
	certs, err := indicium.ParseCertificatesPEM(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	m := &meter{rec: rec, cert: certs[0], pub: certs[0].PublicKey.(*ecdsa.PublicKey)}
	steps := []func(Record) (Record, TxRecord, error){
		func(r Record) (Record, TxRecord, error) { return c.SetOrigin(ctx, r, origin) },
		func(r Record) (Record, TxRecord, error) { return c.SetStatus(ctx, r, StatusRegistered, "") },
		func(r Record) (Record, TxRecord, error) { return c.SetStatus(ctx, r, StatusActive, "") },
		func(r Record) (Record, TxRecord, error) { return c.Credit(ctx, r, credit, "T-"+serial) },
	}
	for _, step := range steps {
		rec, tx, err := step(m.rec)
		if err != nil {
			t.Fatal(err)
		}
		m.store(t, rec, tx)
		if err := c.Commit(ctx, serial, rec.Counter); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

func piece(postage int64, dest string) Piece {
	return Piece{Postage: postage, MailingDate: time.Now().UTC(), DestZIP: dest, MailClass: "FCM_LETTER",
		RecipientHash: indicium.RecipientHash("JOHN DOE\n123 MAIN ST\nANYTOWN NY 12345")}
}

func pieces(n int, postage int64) []Piece {
	ps := make([]Piece, n)
	for i := range ps {
		ps[i] = piece(postage, "10001")
	}
	return ps
}

// checkChain verifies every stored transaction record, the hash links and
// that the record's chain head is the last one.
func checkChain(t testing.TB, m *meter) {
	t.Helper()
	var prev []byte
	for i, tx := range m.txs {
		if err := tx.Verify(m.pub); err != nil {
			t.Fatalf("tx %d: %v", i, err)
		}
		if string(tx.PrevHash) != string(prev) {
			t.Fatalf("tx %d: chain broken", i)
		}
		prev = tx.Hash
	}
	if string(m.rec.ChainHead) != string(prev) {
		t.Fatal("record chain head is not the last transaction record")
	}
}

func wantErr(t testing.TB, err, kind error) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("got error %v, want %v", err, kind)
	}
}

func socketPair(t testing.TB) (net.Conn, net.Conn) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pair.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	a, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	return b, a
}
