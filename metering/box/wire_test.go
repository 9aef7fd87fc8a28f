package box

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"
)

// sampleRequests and sampleResponses set every field of every message kind
// the box speaks, so a field the codec forgets fails the round trip.
func sampleRequests() []*request {
	at := time.Date(2026, 12, 6, 1, 2, 3, 456789012, time.UTC)
	rec := Record{Serial: "IND-1", MfgNumber: "M1", AccountID: 42, OriginZIP: "06901", Status: StatusActive,
		SuspendReason: "why", AR: 123, DR: -5, PieceCount: 7, Counter: 99, WrappedKey: []byte{1, 2, 3}, KeyVersion: 2,
		MACVersion: "2026-11", ChainHead: bytes.Repeat([]byte{9}, 32), MAC: bytes.Repeat([]byte{7}, 32)}
	p := Piece{Postage: 78, MailingDate: at, OriginZIP: "06901", DestZIP: "100011234", Country: "CA", MailClass: "FC",
		Services: 1<<32 - 1, CertSerial: []byte{0xAB}}
	p.RecipientHash[0], p.RecipientHash[15] = 1, 2
	prev := &SignedTx{Kind: "login", Seq: 3, Time: at.In(time.FixedZone("", -5*3600)), Payload: []byte("p"),
		PrevHash: []byte{1}, Hash: []byte{2}, Signature: []byte{3}}
	return []*request{
		{ID: 1, Op: opPing},
		{ID: 2, Op: opDispense, Record: rec, Pieces: []Piece{p, {Postage: 1}}},
		{ID: 1<<64 - 1, Op: opCreateMeter, Serial: "IND-2", MfgNumber: "M", AccountID: -1},
		{ID: 3, Op: opCredit, Record: rec, Amount: -1 << 63, TransferID: "T-1"},
		{ID: 4, Op: opSetStatus, Record: rec, Status: StatusSuspended, Reason: "ünïcode"},
		{ID: 5, Op: opSetOrigin, Record: rec, ZIP: "12345"},
		{ID: 6, Op: opSignTransaction, Kind: "k", Payload: []byte("payload"), Prev: prev},
		{ID: 7, Op: opDispenseMany, Items: []DispenseItem{{Record: rec, Pieces: []Piece{p}}, {}}},
		{ID: 8, Op: opCommitMany, Commits: []CommitItem{{Serial: "A", Counter: 1}, {Serial: "B", Counter: 1 << 40}}},
		{ID: 9, Op: opConfirm, Serial: "A", Amount: 5, Hash: [32]byte{1, 31: 2}},
		{ID: 10, Op: opSignRevocationList, Revocations: []Revocation{{CertSerial: []byte{1, 2}, From: at, ReasonCode: CRLReasonKeyCompromise}},
			Validity: 36 * time.Hour},
		{ID: 11, Op: opRotateMAC, Version: "2027-01"},
		{ID: 12, Op: 200},
	}
}

func sampleResponses() []*response {
	at := time.Date(2026, 12, 6, 1, 2, 3, 4, time.UTC)
	tx := TxRecord{Kind: "postage", Serial: "IND-1", Time: at, Counter: 5, IndiciumDate: "20261206", OriginZIP: "06901",
		DeliveryZIP: "10001", Amount: 78, PieceNumber: 8, TransferID: "T", Detail: "d", PrevHash: []byte{1},
		Hash: []byte{2}, Signature: []byte{3}}
	rec := Record{Serial: "IND-1", Counter: 5, MAC: []byte{1}}
	pieces := []DispensedPiece{{Indicium: []byte("indicium"), Tx: tx}, {Tx: tx}}
	return []*response{
		{ID: 1},
		{ID: 2, Record: rec, Pieces: pieces},
		{ID: 3, Err: &wireError{Code: "tamper_mac", Msg: "box: tamper", Serial: "IND-1", Reason: "mac"}},
		{ID: 4, Record: rec, CertPEM: []byte("PEM")},
		{ID: 5, Keys: PublicKeys{RootCertPEM: []byte("root"), TxKeyPEM: []byte("tx")}},
		{ID: 6, Record: rec, Tx: tx},
		{ID: 7, SignedTx: SignedTx{Kind: "k", Seq: 1, Time: at, Payload: []byte("x"), Hash: []byte{1}, Signature: []byte{2}}},
		{ID: 8, Pepper: []byte("pepper")},
		{ID: 9, Items: []itemResponse{{Record: rec, Pieces: pieces}, {Err: &wireError{Code: "insufficient_funds", Msg: "no"}}, {}}},
		{ID: 10, Protocol: ProtocolVersion, Ops: []string{OpPing, OpHello}, BoxVersion: "v1.2", StartedAt: at,
			LastDurable: at.Add(time.Second)},
		{ID: 11, CRL: []byte("der")},
		{ID: 12, MACKeys: KeyVersions{Current: "2026-12", Versions: []string{"2026-11", "2026-12"}}},
		{ID: 13, Cluster: ClusterStatus{Clustered: true, NodeID: "b1", State: "Leader", LeaderID: "b1", LeaderAddr: "h:1",
			Members: []ClusterPeer{{ID: "b1", Addr: "h:1"}, {ID: "b2", Addr: "h:2"}}, LastIndex: 9, CommitIndex: 8,
			AppliedIndex: 7, Serving: true, MissingMACVersions: []string{"2026-10"}}},
	}
}

func TestWireRequestRoundTrip(t *testing.T) {
	for _, want := range sampleRequests() {
		frame, err := appendRequestFrame(nil, want)
		if err != nil {
			t.Fatal(err)
		}
		body, err := readFrame(bufio.NewReader(bytes.NewReader(frame)), nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeRequest(body)
		if err != nil {
			t.Fatalf("op %d: %v", want.Op, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("op %d round trip:\n got %+v\nwant %+v", want.Op, got, want)
		}
	}
}

func TestWireResponseRoundTrip(t *testing.T) {
	for _, want := range sampleResponses() {
		frame, err := appendResponseFrame(nil, want)
		if err != nil {
			t.Fatal(err)
		}
		body, err := readFrame(bufio.NewReader(bytes.NewReader(frame)), nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeResponse(body)
		if err != nil {
			t.Fatalf("answer %d: %v", want.ID, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("answer %d round trip:\n got %+v\nwant %+v", want.ID, got, want)
		}
	}
}

// A time keeps its instant and its zone: UTC, the local zone, or a fixed
// offset.
func TestWireTimeKeepsZone(t *testing.T) {
	at := time.Date(2026, 12, 6, 1, 2, 3, 4, time.UTC)
	for _, in := range []time.Time{{}, at, at.Local(), at.In(time.FixedZone("", 9*3600))} {
		d := &decoder{b: putTime(nil, in)}
		out := d.time()
		if d.err != nil || !out.Equal(in) || out.Location().String() != in.Location().String() {
			t.Errorf("%v came back as %v (%v)", in, out, d.err)
		}
		if _, o1 := in.Zone(); true {
			if _, o2 := out.Zone(); o1 != o2 {
				t.Errorf("%v: offset %d came back %d", in, o1, o2)
			}
		}
	}
}

// Every cut of a valid message is refused, never misread or a panic.
func TestWireTruncatedIsRefused(t *testing.T) {
	body := appendRequest(nil, sampleRequests()[1])
	for n := range len(body) {
		if _, err := decodeRequest(body[:n]); err == nil {
			t.Fatalf("request cut to %d of %d bytes decoded", n, len(body))
		}
	}
	body = appendResponse(nil, sampleResponses()[8])
	for n := range len(body) {
		if _, err := decodeResponse(body[:n]); err == nil {
			t.Fatalf("answer cut to %d of %d bytes decoded", n, len(body))
		}
	}
}

// A frame of another wire version, or a gob stream, is refused by what it
// is, never parsed.
func TestWireOtherVersionIsRefused(t *testing.T) {
	frame, _ := appendRequestFrame(nil, &request{ID: 1, Op: opPing})
	frame[1] = wireVersion + 1
	_, err := readFrame(bufio.NewReader(bytes.NewReader(frame)), nil)
	var ve *wireVersionError
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), "wire protocol 2") {
		t.Fatalf("frame of version 2: %v", err)
	}
	// The first bytes of a gob stream: a length (here 0x2c), then data.
	_, err = readFrame(bufio.NewReader(bytes.NewReader([]byte{0x2c, 0xff, 0x81, 3, 1, 1, 7})), nil)
	if !errors.Is(err, errGobPeer) {
		t.Fatalf("gob stream: %v", err)
	}
	frame, _ = appendRequestFrame(nil, &request{ID: 1, Op: opPing})
	frame[2] = 0xff // a length past the limit
	if _, err := readFrame(bufio.NewReader(bytes.NewReader(frame)), nil); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("oversized frame: %v", err)
	}
}

// A client of another wire version is told so by the box, and Dial gives up
// on it as on any refusal.
func TestBoxRefusesClientOfAnotherWireVersion(t *testing.T) {
	e := newEnv(t, time.Now())
	e.start(t)
	socket := e.socket
	conn, err := net.Dial("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	frame, _ := appendRequestFrame(nil, &request{ID: 1, Op: opPing})
	frame[1] = wireVersion + 1
	if _, err := conn.Write(frame); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	body, err := readFrame(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := decodeResponse(body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.ID != 0 || resp.Err == nil || !errors.Is(resp.Err.err(), ErrRefused) || !strings.Contains(resp.Err.Msg, "wire protocol 2") {
		t.Fatalf("answer to a version-2 frame: %+v", resp.Err)
	}
}

// A request the box cannot decode is answered as a bad request on its id,
// and the connection goes on serving.
func TestBoxAnswersMalformedRequest(t *testing.T) {
	e := newEnv(t, time.Now())
	e.start(t)
	socket := e.socket
	conn, err := net.Dial("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	bad := append(startFrame(nil), 7, opPing, 250, 0) // id 7, an unknown field
	bad, _ = finishFrame(bad)
	good, _ := appendRequestFrame(nil, &request{ID: 8, Op: opPing})
	if _, err := conn.Write(append(bad, good...)); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(conn)
	got := map[uint64]*response{}
	for range 2 {
		body, err := readFrame(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := decodeResponse(body)
		if err != nil {
			t.Fatal(err)
		}
		got[resp.ID] = resp
	}
	if r := got[7]; r == nil || r.Err == nil || !errors.Is(r.Err.err(), ErrBadRequest) || !strings.Contains(r.Err.Msg, "unknown request field 250") {
		t.Errorf("malformed request answered %+v", r)
	}
	if r := got[8]; r == nil || r.Err != nil {
		t.Errorf("ping after it answered %+v", r)
	}
}
