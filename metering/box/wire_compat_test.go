package box

import (
	"encoding/gob"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A client from before the binary frames, still speaking gob, is answered
// with a refusal it can read (gob matches fields by name), naming the
// protocol the box speaks, instead of a broken connection.
func TestBoxRefusesGobClientReadably(t *testing.T) {
	e := newEnv(t, time.Now())
	e.start(t)
	conn, err := net.Dial("unix", e.socket)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	type oldRequest struct {
		ID uint64
		Op uint8
	}
	if err := gob.NewEncoder(conn).Encode(&oldRequest{ID: 1, Op: opPing}); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var resp struct {
		ID  uint64
		Err *wireError
	}
	if err := gob.NewDecoder(conn).Decode(&resp); err != nil {
		t.Fatalf("a gob client reads no refusal: %v", err)
	}
	if resp.ID != 0 || resp.Err == nil || resp.Err.Code != "refused" || !strings.Contains(resp.Err.Msg, "gob") {
		t.Fatalf("a gob client was answered %+v", resp.Err)
	}
}

// A box from before the binary frames hangs up at the first frame; the
// client says so rather than reporting a bare EOF.
func TestClientNamesABoxThatHangsUpAtOnce(t *testing.T) {
	socket := filepath.Join(t.TempDir(), "gob.sock")
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
				// What gob's decoder does with 0xB7: refuses it as an
				// integer out of range, and the old box closes.
				b := make([]byte, 4096)
				conn.Read(b)
				conn.Close()
			}()
		}
	}()
	c, err := Dial(socket)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.Ping(ctx)
	var te *transportError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "older than wire protocol 1") {
		t.Fatalf("ping of a box that hangs up: %v", err)
	}
}
