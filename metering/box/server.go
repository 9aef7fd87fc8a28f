package box

import (
	"bufio"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// Defaults for ConfigFromEnv. The socket lives in its own 0700 directory
// (the state directory), not in a ./var other services share.
const (
	DefaultSocketPath   = "./var/box/box.sock"
	DefaultKeystorePath = "./var/keystore.bin"
	DefaultStateDir     = "./var/box"
)

// Config is what the box process needs.
type Config struct {
	SocketPath   string
	KeystorePath string
	Passphrase   []byte
	StateDir     string
	AllowedUID   int // a second uid allowed to connect besides the box's own; -1 for none
	Logger       *slog.Logger
}

// ConfigFromEnv reads BOX_SOCKET, BOX_KEYSTORE, BOX_PASSPHRASE or
// BOX_PASSPHRASE_FILE (required), BOX_STATE_DIR and BOX_ALLOWED_UID.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	cfg := Config{
		SocketPath:   envOr(getenv, "BOX_SOCKET", DefaultSocketPath),
		KeystorePath: envOr(getenv, "BOX_KEYSTORE", DefaultKeystorePath),
		StateDir:     envOr(getenv, "BOX_STATE_DIR", DefaultStateDir),
		AllowedUID:   -1,
	}
	if s := getenv("BOX_ALLOWED_UID"); s != "" {
		uid, err := strconv.Atoi(s)
		if err != nil || uid < 0 {
			return Config{}, fmt.Errorf("box: BOX_ALLOWED_UID %q: want a uid", s)
		}
		cfg.AllowedUID = uid
	}
	var err error
	cfg.Passphrase, err = passphraseFromEnv(getenv)
	return cfg, err
}

func passphraseFromEnv(getenv func(string) string) ([]byte, error) {
	if p := getenv("BOX_PASSPHRASE"); p != "" {
		return []byte(p), nil
	}
	if f := getenv("BOX_PASSPHRASE_FILE"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("box: BOX_PASSPHRASE_FILE: %w", err)
		}
		return []byte(strings.TrimRight(string(b), "\r\n")), nil
	}
	return nil, errors.New("box: BOX_PASSPHRASE or BOX_PASSPHRASE_FILE is required")
}

func envOr(getenv func(string) string, name, def string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return def
}

// RunServer runs the box until ctx is done. It refuses to start without a
// readable keystore.
func RunServer(ctx context.Context, cfg Config) error {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	ks, err := OpenKeystore(cfg.KeystorePath, cfg.Passphrase)
	if err != nil {
		return fmt.Errorf("box: refusing to start: %w", err)
	}
	if err := os.MkdirAll(cfg.StateDir, 0o700); err != nil {
		return fmt.Errorf("box: state dir: %w", err)
	}
	b, err := New(ks, cfg.StateDir, log)
	if err != nil {
		return err
	}
	defer b.Close()
	ln, err := listen(cfg.SocketPath)
	if err != nil {
		return err
	}
	log.Info("box: listening", "socket", cfg.SocketPath, "mac_version", ks.CurrentMACVersion())
	s := &server{box: b, log: log, uids: []uint32{uint32(os.Getuid())}}
	if cfg.AllowedUID >= 0 {
		s.uids = append(s.uids, uint32(cfg.AllowedUID))
	}
	return s.serve(ctx, ln)
}

// listen creates the socket, mode 0600, in a directory only this user can
// enter (created 0700; an existing one must not be open to others).
func listen(path string) (net.Listener, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("box: socket dir: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("box: socket dir: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("box: socket dir %s is mode %o: want 0700", dir, fi.Mode().Perm())
	}
	if _, err := os.Stat(path); err == nil {
		if c, err := net.Dial("unix", path); err == nil {
			c.Close()
			return nil, fmt.Errorf("box: another box is listening on %s", path)
		}
		os.Remove(path) // stale socket of a box that died
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("box: listen: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("box: socket mode: %w", err)
	}
	return ln, nil
}

type server struct {
	box  *Box
	log  *slog.Logger
	uids []uint32
	mu   sync.Mutex
	open map[net.Conn]struct{}
}

func (s *server) serve(ctx context.Context, ln net.Listener) error {
	s.open = map[net.Conn]struct{}{}
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	var wg sync.WaitGroup
	var err error
	for {
		var c net.Conn
		if c, err = ln.Accept(); err != nil {
			break
		}
		uid, perr := peerUID(c)
		if perr != nil || !containsUID(s.uids, uid) {
			s.log.Warn("box: connection refused", "uid", uid, "err", perr)
			c.Close()
			continue
		}
		s.mu.Lock()
		s.open[c] = struct{}{}
		s.mu.Unlock()
		wg.Go(func() { s.conn(c) })
	}
	s.mu.Lock()
	for c := range s.open {
		c.Close()
	}
	s.mu.Unlock()
	wg.Wait()
	if ctx.Err() != nil {
		return nil
	}
	return fmt.Errorf("box: accept: %w", err)
}

// conn reads requests and answers each as soon as it is done; a few run at
// once per connection (requests for one meter serialise in the box). One
// writer sends the answers and flushes when none is waiting, so answers
// that finish together share a write.
func (s *server) conn(c net.Conn) {
	dec := gob.NewDecoder(bufio.NewReader(c))
	answers := make(chan *response, 64)
	written := make(chan struct{})
	go func() {
		defer close(written)
		bw := bufio.NewWriter(c)
		enc := gob.NewEncoder(bw)
		for resp := range answers {
			if err := enc.Encode(resp); err != nil {
				c.Close()
				continue // keep draining so handlers never block
			}
			if len(answers) == 0 {
				bw.Flush()
			}
		}
	}()
	var inflight sync.WaitGroup
	sem := make(chan struct{}, 32)
	for {
		req := new(request)
		if err := dec.Decode(req); err != nil {
			break
		}
		sem <- struct{}{}
		inflight.Go(func() {
			defer func() { <-sem }()
			resp := s.box.handle(req)
			answers <- &resp
		})
	}
	inflight.Wait()
	close(answers)
	<-written
	c.Close()
	s.mu.Lock()
	delete(s.open, c)
	s.mu.Unlock()
}

// peerUID asks the kernel who is on the other end of the socket.
func peerUID(c net.Conn) (uint32, error) {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return 0, errors.New("not a unix socket")
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return 0, err
	}
	var cred *unix.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return 0, err
	}
	if cerr != nil {
		return 0, cerr
	}
	return cred.Uid, nil
}

func containsUID(uids []uint32, uid uint32) bool {
	for _, u := range uids {
		if u == uid {
			return true
		}
	}
	return false
}
