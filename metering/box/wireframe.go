package box

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Every message on a box connection is one frame: a magic byte, the wire
// version, the body's length (4 bytes, big-endian) and the body
// (wirecodec.go). The magic byte is one a gob stream never starts with, so
// a peer still speaking the older gob protocol is told apart rather than
// misread, and a version the peer does not speak is refused by its number.
const (
	wireMagic   byte = 0xB7
	wireVersion byte = 1
	frameHeader      = 6
	// maxFrame bounds one message: the largest DispenseMany answer
	// (MaxManyPieces signed pieces) fits with room to spare.
	maxFrame = 256 << 20
)

// errGobPeer is a peer that sent a gob stream: a box or client from before
// the binary protocol.
var errGobPeer = errors.New("the peer speaks the older gob protocol, not box wire protocol 1: upgrade serve and the box together")

// wireVersionError is a frame of a wire version this side does not speak.
type wireVersionError struct{ got byte }

func (e *wireVersionError) Error() string {
	return fmt.Sprintf("the peer speaks box wire protocol %d, this side %d: upgrade serve and the box together", e.got, wireVersion)
}

// readFrame reads one frame's body into buf (grown as needed) and returns it.
func readFrame(r *bufio.Reader, buf []byte) ([]byte, error) {
	var h [frameHeader]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return buf, err
	}
	switch {
	case h[0] != wireMagic:
		return buf, errGobPeer
	case h[1] != wireVersion:
		return buf, &wireVersionError{got: h[1]}
	}
	n := binary.BigEndian.Uint32(h[2:])
	if n > maxFrame {
		return buf, fmt.Errorf("box: frame of %d bytes exceeds the %d-byte limit", n, maxFrame)
	}
	if cap(buf) < int(n) {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := io.ReadFull(r, buf); err != nil {
		return buf, err
	}
	return buf, nil
}

// startFrame begins a frame in buf; finishFrame fills in its length.
func startFrame(buf []byte) []byte {
	return append(buf[:0], wireMagic, wireVersion, 0, 0, 0, 0)
}

func finishFrame(b []byte) ([]byte, error) {
	n := len(b) - frameHeader
	if n > maxFrame {
		return b, fmt.Errorf("box: message of %d bytes exceeds the %d-byte frame limit", n, maxFrame)
	}
	binary.BigEndian.PutUint32(b[2:frameHeader], uint32(n))
	return b, nil
}

// appendRequestFrame and appendResponseFrame encode one message as a frame,
// reusing buf.
func appendRequestFrame(buf []byte, req *request) ([]byte, error) {
	return finishFrame(appendRequest(startFrame(buf), req))
}

func appendResponseFrame(buf []byte, resp *response) ([]byte, error) {
	return finishFrame(appendResponse(startFrame(buf), resp))
}
