package box

import (
	"encoding/json"
	"strconv"
)

// appendStateJSON appends st as encoding/json writes it (the freshness log's
// and the cluster log's format since they began), without reflection: the
// box encodes one state per step. TestStateJSONIsEncodingJSON checks it byte
// for byte against json.Marshal.
func appendStateJSON(b []byte, st *meterState) ([]byte, error) {
	b = strconv.AppendInt(append(b, `{"n":`...), st.Counter, 10)
	b = appendHashJSON(append(b, `,"h":`...), &st.Hash)
	var err error
	if st.Pending != nil {
		if b, err = appendPendingJSON(append(b, `,"p":`...), st.Pending); err != nil {
			return b, err
		}
	}
	if st.Next != nil {
		if b, err = appendPendingJSON(append(b, `,"q":`...), st.Next); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

func appendPendingJSON(b []byte, p *pending) ([]byte, error) {
	b = strconv.AppendInt(append(b, `{"n":`...), p.Counter, 10)
	b = appendHashJSON(append(b, `,"h":`...), &p.Hash)
	b = append(b, `,"op":`...)
	if plainJSON(p.Op) {
		b = append(append(append(b, '"'), p.Op...), '"')
	} else {
		// Escaping as encoding/json does is its business: let it.
		op, err := json.Marshal(p.Op)
		if err != nil {
			return b, err
		}
		b = append(b, op...)
	}
	if p.FirstPiece != 0 {
		b = strconv.AppendInt(append(b, `,"first":`...), p.FirstPiece, 10)
	}
	if p.LastPiece != 0 {
		b = strconv.AppendInt(append(b, `,"last":`...), p.LastPiece, 10)
	}
	if p.Amount != 0 {
		b = strconv.AppendInt(append(b, `,"amount":`...), p.Amount, 10)
	}
	return append(b, '}'), nil
}

// appendHashJSON writes a [32]byte as encoding/json does: an array of numbers.
func appendHashJSON(b []byte, h *[32]byte) []byte {
	b = append(b, '[')
	for i, c := range h {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(b, uint64(c), 10)
	}
	return append(b, ']')
}

// plainJSON reports whether encoding/json writes s as it is between quotes:
// printable ASCII without the characters it escapes.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c > 0x7e, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}
