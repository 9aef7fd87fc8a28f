package box

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// poolSize is the number of connections a Client keeps; each carries many
// concurrent requests, so a few are enough to keep both ends busy.
const poolSize = 4

// Client talks to the box over its unix socket. It is safe for concurrent
// use and redials a connection the box dropped (for instance after a
// restart). A request whose connection fails may or may not have been
// carried out by the box; the hand-off protocol makes that safe: the
// caller stores nothing, and the next request resolves the pending step.
//
// Given the sockets of a box cluster, it sends to one box at a time and
// moves on to the next when that one answers ErrNotLeader or cannot be
// reached, sending the same request again (clientfailover.go).
type Client struct {
	paths []string
	// tls is the configuration for boxes reached over mutual TLS
	// ("tls://host:port" in paths); nil when none is.
	tls    *tls.Config
	target atomic.Uint32 // index in paths of the box requests go to
	ids    atomic.Uint64
	next   atomic.Uint32
	slots  [poolSize]slot
	// caps is what the box answered to Hello (hello.go); redials counts the
	// connections made again after one was lost, which forget it.
	caps    atomic.Pointer[Capabilities]
	redials atomic.Uint64
}

type slot struct {
	mu sync.Mutex
	c  *muxConn
}

type muxConn struct {
	path    string
	conn    net.Conn
	sendq   chan *request
	dead    chan struct{} // closed by fail
	mu      sync.Mutex
	pending map[uint64]chan *response
	err     error
}

// Dial connects to the box at socketPath and asks what it serves. A box
// that does not answer that in time is still dialled: its capabilities are
// asked again on first use. socketPath may list the sockets of a box
// cluster's members, separated by commas; Dial then connects to the first
// that answers.
func Dial(socketPath string) (*Client, error) { return DialTLS(socketPath, nil) }

// DialTLS is Dial with the client certificate that boxes listed as
// "tls://host:port" require (clienttls.go); ct may be nil when every box is
// a local socket.
func DialTLS(socketPath string, ct *ClientTLS) (*Client, error) {
	c := &Client{paths: SocketList(socketPath)}
	if len(c.paths) == 0 {
		return nil, errors.New("box: no socket given")
	}
	var err error
	if ct != nil {
		if c.tls, err = ct.config(); err != nil {
			return nil, err
		}
	}
	for i := range c.paths {
		c.target.Store(uint32(i))
		if _, err = c.conn(&c.slots[0]); err == nil {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), helloTimeout)
	defer cancel()
	// Best effort: asked again on first use. A refusal is final, though.
	if _, err := c.Capabilities(ctx); errors.Is(err, ErrRefused) {
		c.Close()
		return nil, err
	}
	return c, nil
}

// Close closes every connection.
func (c *Client) Close() error {
	for i := range c.slots {
		s := &c.slots[i]
		s.mu.Lock()
		if s.c != nil {
			s.c.fail(errors.New("box: client closed"))
		}
		s.mu.Unlock()
	}
	return nil
}

// conn returns the slot's connection, dialling it if it has none or lost it.
func (c *Client) conn(s *slot) (*muxConn, error) {
	path := c.paths[c.target.Load()]
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.c != nil && s.c.alive() && s.c.path == path {
		return s.c, nil
	}
	if s.c != nil && s.c.path != path {
		s.c.fail(errors.New("box: client moved to another box of the cluster"))
	}
	conn, err := c.dial(context.Background(), path)
	if err != nil {
		return nil, &transportError{fmt.Errorf("box: dial %s: %w", path, err)}
	}
	if s.c != nil {
		// The box may have been restarted as another version: ask again.
		c.redials.Add(1)
		c.caps.Store(nil)
	}
	mc := &muxConn{path: path, conn: conn, sendq: make(chan *request, 256), dead: make(chan struct{}), pending: map[uint64]chan *response{}}
	go mc.read()
	go mc.write()
	s.c = mc
	return mc, nil
}

// dial connects to a box: its unix socket, or over mutual TLS for a
// "tls://host:port" address.
func (c *Client) dial(ctx context.Context, path string) (net.Conn, error) {
	addr, ok := strings.CutPrefix(path, TLSPrefix)
	if !ok {
		var d net.Dialer
		return d.DialContext(ctx, "unix", path)
	}
	if c.tls == nil {
		return nil, errors.New("a box reached over TLS needs BOX_TLS_CERT, BOX_TLS_KEY and BOX_TLS_ROOT")
	}
	d := &tls.Dialer{NetDialer: &net.Dialer{Timeout: 5 * time.Second}, Config: c.tls}
	return d.DialContext(ctx, "tcp", addr)
}

func (mc *muxConn) alive() bool {
	mc.mu.Lock()
	defer mc.mu.Unlock()
	return mc.err == nil
}

func (mc *muxConn) read() {
	br := bufio.NewReader(mc.conn)
	var buf []byte
	for answered := false; ; answered = true {
		body, err := readFrame(br, buf)
		if err != nil {
			if !answered && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)) {
				// What a box from before the binary protocol does: its gob
				// decoder refuses the first frame and hangs up.
				err = fmt.Errorf("%w before any answer (a box older than wire protocol %d closes the connection at the first request)", err, wireVersion)
			}
			mc.fail(fmt.Errorf("box: connection lost: %w", err))
			return
		}
		buf = keepBuffer(body)
		resp, err := decodeResponse(body)
		if err != nil {
			mc.fail(err)
			return
		}
		if resp.ID == 0 && resp.Err != nil {
			// Unsolicited: the box refused this connection.
			mc.fail(resp.Err.err())
			return
		}
		mc.answer(resp)
	}
}

// answer hands a response to the request waiting for it.
func (mc *muxConn) answer(resp *response) {
	mc.mu.Lock()
	ch := mc.pending[resp.ID]
	if !resp.Partial { // a chunked answer's parts precede its final answer
		delete(mc.pending, resp.ID)
	}
	mc.mu.Unlock()
	if ch != nil {
		ch <- resp
	}
}

// keepBuffer keeps a connection's frame buffer for the next message unless
// a large one grew it: that memory goes back rather than staying with the
// connection.
func keepBuffer(b []byte) []byte {
	if cap(b) > 1<<20 {
		return nil
	}
	return b[:0]
}

// write sends queued requests, flushing when the queue is empty so
// concurrent requests share a write.
func (mc *muxConn) write() {
	bw := bufio.NewWriter(mc.conn)
	var buf []byte
	for {
		var req *request
		select {
		case req = <-mc.sendq:
		case <-mc.dead:
			return
		}
		frame, err := appendRequestFrame(buf, req)
		if err != nil {
			// Too large to send: that request fails alone.
			mc.answer(&response{ID: req.ID, Err: toWire(fmt.Errorf("%w: %v", ErrBadRequest, err))})
			continue
		}
		buf = keepBuffer(frame)
		_, err = bw.Write(frame)
		if err == nil && len(mc.sendq) == 0 {
			err = bw.Flush()
		}
		if err != nil {
			mc.fail(fmt.Errorf("box: send: %w", err))
			return
		}
	}
}

// fail ends the connection and every request waiting on it.
func (mc *muxConn) fail(err error) {
	mc.mu.Lock()
	defer mc.mu.Unlock()
	if mc.err != nil {
		return
	}
	mc.err = err
	close(mc.dead)
	for id, ch := range mc.pending {
		close(ch)
		delete(mc.pending, id)
	}
	mc.conn.Close()
}

// callOnce sends req to the box the client is at and waits for the answer.
// A failure of the connection is a *transportError.
func (c *Client) callOnce(ctx context.Context, req *request) (response, error) {
	mc, err := c.conn(&c.slots[c.next.Add(1)%poolSize])
	if err != nil {
		return response{}, err
	}
	req.ID = c.ids.Add(1)
	// The answer comes as the decoder's pointer: a channel of whole
	// responses would copy each (about 1 kB) into a buffer of its own.
	ch := make(chan *response, 1)
	mc.mu.Lock()
	if mc.err != nil {
		mc.mu.Unlock()
		return response{}, &transportError{mc.err}
	}
	mc.pending[req.ID] = ch
	mc.mu.Unlock()
	select {
	case mc.sendq <- req:
	case <-mc.dead: // ch is closed: reported below
	case <-ctx.Done():
	}
	select {
	case resp, ok := <-ch:
		if !ok {
			mc.mu.Lock()
			defer mc.mu.Unlock()
			if errors.Is(mc.err, ErrRefused) {
				return response{}, mc.err
			}
			return response{}, &transportError{mc.err}
		}
		if resp.Err != nil {
			return *resp, resp.Err.err()
		}
		return *resp, nil
	case <-ctx.Done():
		mc.mu.Lock()
		delete(mc.pending, req.ID)
		mc.mu.Unlock()
		return response{}, ctx.Err()
	}
}

// Ping checks that the box answers (for /readyz).
func (c *Client) Ping(ctx context.Context) error {
	_, err := c.call(ctx, &request{Op: opPing})
	return err
}

// Certificates returns the vendor root certificate and the transaction
// box's public key, PEM.
func (c *Client) Certificates(ctx context.Context) (PublicKeys, error) {
	resp, err := c.call(ctx, &request{Op: opCertificates})
	return resp.Keys, err
}

// CreateMeter creates a meter; see Box.CreateMeter. It returns the initial
// record and the meter certificate (PEM) to publish.
func (c *Client) CreateMeter(ctx context.Context, serial, mfgNumber string, accountID int64) (Record, []byte, error) {
	resp, err := c.call(ctx, &request{Op: opCreateMeter, Serial: serial, MfgNumber: mfgNumber, AccountID: accountID})
	return resp.Record, resp.CertPEM, err
}

// Dispense debits a batch of pieces in one step; see Box.Dispense. Store
// the returned record and transaction records in one database transaction,
// then call Commit.
func (c *Client) Dispense(ctx context.Context, rec Record, pieces []Piece) (DispenseResult, error) {
	resp, err := c.call(ctx, &request{Op: opDispense, Record: rec, Pieces: pieces})
	return DispenseResult{Record: resp.Record, Pieces: resp.Pieces}, err
}

// Credit adds funds to the meter; see Box.Credit.
func (c *Client) Credit(ctx context.Context, rec Record, amountCents int64, transferID string) (Record, TxRecord, error) {
	resp, err := c.call(ctx, &request{Op: opCredit, Record: rec, Amount: amountCents, TransferID: transferID})
	return resp.Record, resp.Tx, err
}

// SetStatus changes the meter's lifecycle status; see Box.SetStatus.
func (c *Client) SetStatus(ctx context.Context, rec Record, status, reason string) (Record, TxRecord, error) {
	resp, err := c.call(ctx, &request{Op: opSetStatus, Record: rec, Status: status, Reason: reason})
	return resp.Record, resp.Tx, err
}

// SetOrigin changes the meter's origin ZIP; see Box.SetOrigin.
func (c *Client) SetOrigin(ctx context.Context, rec Record, zip string) (Record, TxRecord, error) {
	resp, err := c.call(ctx, &request{Op: opSetOrigin, Record: rec, ZIP: zip})
	return resp.Record, resp.Tx, err
}

// Commit tells the box the database committed the record with counter.
func (c *Client) Commit(ctx context.Context, serial string, counter int64) error {
	_, err := c.call(ctx, &request{Op: opCommit, Serial: serial, Amount: counter})
	return err
}

// DispenseMany runs Dispense for several meters in one request; see
// Box.DispenseMany. Each result carries its own error, of the kind Dispense
// returns; the returned error is for the request as a whole (a transport
// failure, or a request the box refused entirely), and then no item has an
// answer: the box may or may not have carried any of them out, which the
// hand-off protocol makes safe as for Dispense.
func (c *Client) DispenseMany(ctx context.Context, items []DispenseItem) ([]DispenseItemResult, error) {
	resp, err := c.call(ctx, &request{Op: opDispenseMany, Items: items})
	if err != nil {
		return nil, fmt.Errorf("box: dispense on %d meters: %w", len(items), err)
	}
	if len(resp.Items) != len(items) {
		return nil, fmt.Errorf("box: dispense on %d meters: %d answers", len(items), len(resp.Items))
	}
	out := make([]DispenseItemResult, len(items))
	for i, r := range resp.Items {
		if r.Err != nil {
			out[i].Err = r.Err.err()
			continue
		}
		out[i].Result = DispenseResult{Record: r.Record, Pieces: r.Pieces}
	}
	return out, nil
}

// CommitMany runs Commit for several meters in one request; see
// Box.CommitMany. The i-th error is item i's; the returned error is for the
// request as a whole.
func (c *Client) CommitMany(ctx context.Context, items []CommitItem) ([]error, error) {
	resp, err := c.call(ctx, &request{Op: opCommitMany, Commits: items})
	if err != nil {
		return nil, fmt.Errorf("box: commit on %d meters: %w", len(items), err)
	}
	if len(resp.Items) != len(items) {
		return nil, fmt.Errorf("box: commit on %d meters: %d answers", len(items), len(resp.Items))
	}
	errs := make([]error, len(items))
	for i, r := range resp.Items {
		if r.Err != nil {
			errs[i] = r.Err.err()
		}
	}
	return errs, nil
}

// Requests is how many requests this client has sent (tests count the box
// round trips of an operation with it).
func (c *Client) Requests() uint64 { return c.ids.Load() }

// VerifyRecord checks a stored record's MAC and freshness.
func (c *Client) VerifyRecord(ctx context.Context, rec Record) error {
	_, err := c.call(ctx, &request{Op: opVerifyRecord, Record: rec})
	return err
}

// SignTransaction chains and signs a transaction-box record; see
// Box.SignTransaction.
func (c *Client) SignTransaction(ctx context.Context, kind string, payload []byte, prev *SignedTx) (SignedTx, error) {
	resp, err := c.call(ctx, &request{Op: opSignTransaction, Kind: kind, Payload: payload, Prev: prev})
	return resp.SignedTx, err
}

// Pepper returns the authentication box's HMAC of the password.
func (c *Client) Pepper(ctx context.Context, password []byte) ([]byte, error) {
	resp, err := c.call(ctx, &request{Op: opPepper, Payload: password})
	return resp.Pepper, err
}

// DispenseChained dispenses on the box's latest step without the meter's row
// lock; see Box.DispenseChained. Store the result only after Confirm.
func (c *Client) DispenseChained(ctx context.Context, rec Record, pieces []Piece) (DispenseResult, error) {
	resp, err := c.call(ctx, &request{Op: opDispenseChained, Record: rec, Pieces: pieces})
	return DispenseResult{Record: resp.Record, Pieces: resp.Pieces}, err
}

// Confirm checks under the meter's row lock that the box still holds a
// chained step; see Box.Confirm.
func (c *Client) Confirm(ctx context.Context, serial string, counter int64, hash [32]byte) error {
	_, err := c.call(ctx, &request{Op: opConfirm, Serial: serial, Amount: counter, Hash: hash})
	return err
}
