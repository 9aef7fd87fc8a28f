package box

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"testing"
	"time"
)

// Hello announces the protocol version and every operation the box serves,
// and the client keeps the answer.
func TestHelloListsTheOperations(t *testing.T) {
	e := newEnv(t, time.Now())
	c, _ := e.start(t)
	caps, err := c.Capabilities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if caps.Protocol != ProtocolVersion {
		t.Errorf("protocol %d, want %d", caps.Protocol, ProtocolVersion)
	}
	all := []string{OpPing, OpCertificates, OpCreateMeter, OpDispense, OpCredit, OpSetStatus, OpSetOrigin, OpCommit, OpVerifyRecord,
		OpSignTransaction, OpPepper, OpDispenseMany, OpCommitMany, OpDispenseChained, OpConfirm, OpHello, OpSignRevocationList, OpRotateMAC, OpDebit, OpClusterStatus, OpDispenseChunked}
	if !caps.Supports(all...) || len(caps.Ops) != len(all) {
		t.Errorf("announced %v, want %v", caps.Ops, all)
	}
	if !caps.Supports(BaseCapabilities().Ops...) {
		t.Errorf("announced %v: not every base operation", caps.Ops)
	}
	before := c.Requests()
	if _, err := c.Capabilities(ctx); err != nil || c.Requests() != before {
		t.Errorf("capabilities asked again (%d requests, %v): want the kept answer", c.Requests()-before, err)
	}
}

// An operation the box does not serve is answered with its own code, not
// a bad request.
func TestUnknownOperationHasItsOwnCode(t *testing.T) {
	e := newEnv(t, time.Now())
	c, _ := e.start(t)
	_, err := c.call(ctx, &request{Op: 200})
	wantErr(t, err, ErrUnknownOp)
	if errors.Is(err, ErrBadRequest) {
		t.Errorf("unknown operation answered as a bad request: %v", err)
	}
}

// A box older than Hello answers it as a bad request, the way it answers
// any operation it does not know: the client takes it to serve the base
// operations only, so no chained or many-meter step is asked of it.
func TestBoxOlderThanHelloServesBaseOperations(t *testing.T) {
	socket := filepath.Join(t.TempDir(), "old.sock")
	ln, err := net.Listen("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				br := bufio.NewReader(conn)
				for {
					body, err := readFrame(br, nil)
					if err != nil {
						return
					}
					req, err := decodeRequest(body)
					if err != nil {
						return
					}
					resp := response{ID: req.ID}
					if req.Op > opPepper { // what the box answered before Hello existed
						resp.Err = &wireError{Code: "bad_request", Msg: fmt.Sprintf("bad request: unknown operation %d", req.Op)}
					}
					frame, err := appendResponseFrame(nil, &resp)
					if err != nil {
						return
					}
					if _, err := conn.Write(frame); err != nil {
						return
					}
				}
			}()
		}
	}()
	c, err := Dial(socket)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	caps, err := c.Capabilities(cctx)
	if err != nil {
		t.Fatal(err)
	}
	if caps.Protocol != 1 || caps.Supports(OpDispenseChained) || caps.Supports(OpConfirm) || caps.Supports(OpDispenseMany) ||
		!caps.Supports(OpDispense, OpCommit, OpVerifyRecord) {
		t.Errorf("an old box's capabilities: %+v", caps)
	}
}

// Hello reports the box's version, when it started, and when its
// freshness store last made a write durable, which a meter's step moves on.
func TestHelloReportsUptimeAndLastDurableWrite(t *testing.T) {
	e := newEnv(t, time.Now())
	c, _ := e.start(t)
	st, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.StartedAt.IsZero() || time.Since(st.StartedAt) > time.Minute || st.Uptime(time.Now()) < 0 {
		t.Fatalf("started at %v", st.StartedAt)
	}
	before := st.LastDurableWrite
	activeMeter(t, c, "PM-STATUS-1", "06901", 1000)
	st, err = c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.LastDurableWrite.IsZero() || !st.LastDurableWrite.After(before) {
		t.Fatalf("last durable write %v after a meter's steps (was %v)", st.LastDurableWrite, before)
	}
}
