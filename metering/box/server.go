package box

import (
	"bufio"
	"cmp"
	"context"
	"crypto/tls"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

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
	SocketPath string
	// Keystore is where the box's own keys live: KeystoreFile (the
	// passphrase-encrypted KeystorePath) or KeystorePKCS11 (Token).
	Keystore     string
	KeystorePath string
	Passphrase   []byte
	Token        TokenConfig
	StateDir     string
	// AllowedUIDs are the uids the kernel may report for a peer; empty
	// allows the box's own uid only.
	AllowedUIDs []uint32
	Logger      *slog.Logger
	// Version is the box binary's version, which Hello reports.
	Version string
	// Cluster, when set, makes the box a member of a replicated cluster
	// (clusterconfig.go); nil runs the single box.
	Cluster *ClusterConfig
	// ClientAddr, when set, is a host:port where the box also serves
	// clients on other hosts over mutual TLS (clienttls.go), beside its
	// socket (BOX_CLIENT_ADDR).
	ClientAddr string
}

// ConfigFromEnv reads BOX_SOCKET, BOX_KEYSTORE, BOX_PASSPHRASE or
// BOX_PASSPHRASE_FILE (required), BOX_STATE_DIR, BOX_ALLOWED_UIDS and the
// cluster settings (BOX_NODE_ID, BOX_PEER_ADDR, BOX_PEERS, BOX_RAFT_DIR).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	cfg := Config{
		SocketPath:   envOr(getenv, "BOX_SOCKET", DefaultSocketPath),
		KeystorePath: envOr(getenv, "BOX_KEYSTORE", DefaultKeystorePath),
		StateDir:     envOr(getenv, "BOX_STATE_DIR", DefaultStateDir),
		ClientAddr:   getenv("BOX_CLIENT_ADDR"),
	}
	if getenv("BOX_ALLOWED_UID") != "" {
		return Config{}, errors.New("box: BOX_ALLOWED_UID is now BOX_ALLOWED_UIDS (a comma-separated list that replaces the default, the box's own uid)")
	}
	var err error
	if cfg.AllowedUIDs, err = ParseUIDs(getenv("BOX_ALLOWED_UIDS")); err != nil {
		return Config{}, err
	}
	if cfg.Cluster, err = clusterFromEnv(getenv, cfg.StateDir); err != nil {
		return Config{}, err
	}
	if cfg.Keystore, err = keystoreKind(getenv); err != nil {
		return Config{}, err
	}
	if cfg.Keystore == KeystorePKCS11 {
		cfg.Token, err = tokenFromEnv(getenv)
		return cfg, err
	}
	cfg.Passphrase, err = passphraseFromEnv(getenv)
	return cfg, err
}

// ParseUIDs reads BOX_ALLOWED_UIDS: uids or user names separated by
// commas (names are looked up once, at start).
func ParseUIDs(s string) ([]uint32, error) {
	var uids []uint32
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if uid, err := strconv.ParseUint(f, 10, 32); err == nil {
			uids = append(uids, uint32(uid))
			continue
		}
		u, err := user.Lookup(f)
		if err != nil {
			return nil, fmt.Errorf("box: BOX_ALLOWED_UIDS: %q is neither a uid nor a known user: %w", f, err)
		}
		uid, err := strconv.ParseUint(u.Uid, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("box: BOX_ALLOWED_UIDS: user %q has uid %q", f, u.Uid)
		}
		uids = append(uids, uint32(uid))
	}
	return uids, nil
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
	ops, err := openKeyOps(cfg)
	if err != nil {
		return fmt.Errorf("box: refusing to start: %w", err)
	}
	defer ops.Close()
	if err := os.MkdirAll(cfg.StateDir, 0o700); err != nil {
		return fmt.Errorf("box: state dir: %w", err)
	}
	if err := checkStateRoot(cfg.StateDir, ops.RootCert()); err != nil {
		return err
	}
	var b *Box
	if cfg.Cluster.Enabled() {
		store, err := openClusterStore(ops, cfg.Cluster, cfg.StateDir, log)
		if err != nil {
			return err
		}
		b, err = newBox(ops, store, log)
		if err != nil {
			return err
		}
		log.Info("box: cluster member", "node", cfg.Cluster.NodeID, "peer_addr", cfg.Cluster.PeerAddr, "peers", len(cfg.Cluster.Peers))
	} else if b, err = NewWithKeys(ops, cfg.StateDir, log); err != nil {
		return err
	}
	defer b.Close()
	b.version = cfg.Version
	ln, err := listen(cfg.SocketPath)
	if err != nil {
		return err
	}
	uids := cfg.AllowedUIDs
	if len(uids) == 0 {
		uids = []uint32{uint32(os.Getuid())}
	}
	log.Info("box: listening", "socket", cfg.SocketPath, "keystore", cmp.Or(cfg.Keystore, KeystoreFile), "mac_version", b.currentMAC(), "allowed_uids", uids)
	s := &server{box: b, log: log, uids: uids}
	if cfg.ClientAddr == "" {
		return s.serve(ctx, ln)
	}
	nodeID := "box"
	if cfg.Cluster.Enabled() {
		nodeID = cfg.Cluster.NodeID
	}
	tc, err := clientListenerConfig(ops, nodeID)
	if err != nil {
		ln.Close()
		return err
	}
	tln, err := tls.Listen("tcp", cfg.ClientAddr, tc)
	if err != nil {
		ln.Close()
		return fmt.Errorf("box: client listener on %s: %w", cfg.ClientAddr, err)
	}
	log.Info("box: listening for clients over mutual TLS", "addr", tln.Addr().String())
	tlsDone := make(chan error, 1)
	go func() { tlsDone <- s.serve(ctx, tln) }()
	err = s.serve(ctx, ln)
	tln.Close()
	if terr := <-tlsDone; err == nil && ctx.Err() == nil {
		err = terr
	}
	return err
}

// listen creates the socket in a directory others cannot enter (created
// 0700). The socket is mode 0600, or 0660 with the directory's group when
// the directory lets its group in: that is how serve, running as another
// user, reaches the box (deploy/systemd). The peer-credential check decides
// in either case; the modes only keep everyone else from knocking.
func listen(path string) (net.Listener, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("box: socket dir: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("box: socket dir: %w", err)
	}
	if fi.Mode().Perm()&0o007 != 0 {
		return nil, fmt.Errorf("box: socket dir %s is mode %o: want 0700, or 0710/0750 for a group that may connect", dir, fi.Mode().Perm())
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
	mode := os.FileMode(0o600)
	if fi.Mode().Perm()&0o010 != 0 {
		mode = 0o660
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Gid) != os.Getegid() {
			if err := os.Chown(path, -1, int(st.Gid)); err != nil {
				ln.Close()
				return nil, fmt.Errorf("box: socket group: %w", err)
			}
		}
	}
	if err := os.Chmod(path, mode); err != nil {
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

// serve accepts connections until ctx is done: on the unix socket a peer
// whose uid is allowed, over TLS a client whose certificate passes
// (clientListenerConfig), checked in the handshake.
func (s *server) serve(ctx context.Context, ln net.Listener) error {
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	var wg sync.WaitGroup
	var err error
	for {
		var c net.Conn
		if c, err = ln.Accept(); err != nil {
			break
		}
		s.mu.Lock()
		if s.open == nil {
			s.open = map[net.Conn]struct{}{}
		}
		s.open[c] = struct{}{}
		s.mu.Unlock()
		if tc, ok := c.(*tls.Conn); ok {
			wg.Go(func() {
				hctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				defer cancel()
				if err := tc.HandshakeContext(hctx); err != nil {
					s.log.Warn("box: TLS client refused", "remote", c.RemoteAddr().String(), "err", err)
					s.forget(c)
					return
				}
				s.conn(c)
			})
			continue
		}
		uid, perr := peerUID(c)
		if perr != nil || !slices.Contains(s.uids, uid) {
			s.log.Warn("box: connection refused", "uid", uid, "allowed_uids", s.uids, "err", perr)
			wg.Go(func() { s.refuse(c, uid, perr) })
			continue
		}
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
	answers := make(chan *response, 64)
	written := make(chan struct{})
	go func() {
		defer close(written)
		bw := bufio.NewWriter(c)
		var buf []byte
		for resp := range answers {
			frame, err := appendResponseFrame(buf, resp)
			if err != nil {
				// Too large to send: the request is answered with why.
				frame, _ = appendResponseFrame(buf, &response{ID: resp.ID, Err: toWire(fmt.Errorf("%w: %v", ErrBadRequest, err))})
			}
			buf = keepBuffer(frame)
			if _, err := bw.Write(frame); err != nil {
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
	br := bufio.NewReader(c)
	var buf []byte
	linger := false
	for {
		body, err := readFrame(br, buf)
		if err != nil {
			linger = s.refuseFrame(c, answers, err)
			break
		}
		buf = keepBuffer(body)
		req, err := decodeRequest(body)
		if err != nil {
			s.log.Warn("box: malformed request", "id", req.ID, "err", err)
			// The frame's length kept the stream in step: answer this
			// request and read on, unless it cannot even be named.
			answers <- &response{ID: req.ID, Err: toWire(fmt.Errorf("%w: %v", ErrBadRequest, err))}
			if req.ID == 0 {
				break
			}
			continue
		}
		sem <- struct{}{}
		inflight.Go(func() {
			defer func() { <-sem }()
			var resp response
			if req.Op == opDispenseChunked {
				resp = s.box.handleChunked(req, func(r *response) { answers <- r })
			} else {
				resp = s.box.handle(req)
			}
			answers <- &resp
		})
	}
	inflight.Wait()
	close(answers)
	<-written
	if linger {
		// Keep reading until the peer hangs up, so it reads the refusal
		// rather than a broken pipe on its next write.
		c.SetDeadline(time.Now().Add(refuseLinger))
		io.Copy(io.Discard, br)
	}
	s.forget(c)
}

// refuseFrame tells a peer that speaks another protocol why it is not
// served, and reports whether it did: a client of another wire version gets
// an unsolicited refusal it can read, and one still speaking gob gets it in
// gob, which it reports as the box's refusal instead of a broken connection.
func (s *server) refuseFrame(c net.Conn, answers chan<- *response, err error) bool {
	var ve *wireVersionError
	switch {
	case errors.As(err, &ve):
		s.log.Warn("box: client of another wire version refused", "version", ve.got, "speaks", wireVersion)
		answers <- &response{Err: &wireError{Code: "refused", Msg: "box: connection refused: " + err.Error()}}
		return true
	case errors.Is(err, errGobPeer):
		s.log.Warn("box: gob client refused", "speaks", wireVersion)
		c.SetWriteDeadline(time.Now().Add(refuseLinger))
		gob.NewEncoder(c).Encode(&gobRefusal{Err: &wireError{Code: "refused", Msg: "box: connection refused: " + err.Error()}})
		return true
	}
	return false
}

// gobRefusal is the answer as a gob client decodes it (gob matches fields
// by name): id 0, the unsolicited refusal.
type gobRefusal struct {
	ID  uint64
	Err *wireError
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

// refuseLinger is how long a refused connection stays open after the
// refusal is written, so the peer reads it rather than a broken pipe.
const refuseLinger = 2 * time.Second

// refuse tells a peer the box does not serve it, as an unsolicited answer
// (id 0) the client reports for every request it sent, then closes. Nothing
// the peer sent is decoded.
func (s *server) refuse(c net.Conn, uid uint32, perr error) {
	defer s.forget(c)
	msg := fmt.Sprintf("box: connection refused: uid %d is not allowed to use this box (BOX_ALLOWED_UIDS allows %v)", uid, s.uids)
	if perr != nil {
		msg = fmt.Sprintf("box: connection refused: the peer's credentials cannot be read: %v", perr)
	}
	c.SetDeadline(time.Now().Add(refuseLinger))
	frame, err := appendResponseFrame(nil, &response{Err: &wireError{Code: "refused", Msg: msg}})
	if err != nil {
		return
	}
	if _, err := c.Write(frame); err != nil {
		return
	}
	io.Copy(io.Discard, c) // until the peer closes or the deadline passes
}

func (s *server) forget(c net.Conn) {
	c.Close()
	s.mu.Lock()
	delete(s.open, c)
	s.mu.Unlock()
}
