package box

import (
	"bytes"
	"encoding/gob"
	"testing"
)

// BenchmarkWireDispense is the wire cost of one single-piece dispense, both
// directions: encode and decode the request, then the answer. "gob" is the
// encoding the box used before, on one long-lived stream per direction (type
// information sent once, as on a connection); "binary" is wirecodec.go.
func BenchmarkWireDispense(b *testing.B) {
	req := sampleRequests()[1]
	req.Pieces = req.Pieces[:1]
	resp := sampleResponses()[1]
	resp.Pieces = resp.Pieces[:1]
	resp.Pieces[0].Indicium = bytes.Repeat([]byte{0x5a}, 140)
	resp.Pieces[0].Tx.Hash = bytes.Repeat([]byte{1}, 32)
	resp.Pieces[0].Tx.Signature = bytes.Repeat([]byte{2}, 64)
	resp.Record = req.Record
	b.Run("gob", func(b *testing.B) {
		var reqBuf, respBuf bytes.Buffer
		reqEnc, reqDec := gob.NewEncoder(&reqBuf), gob.NewDecoder(&reqBuf)
		respEnc, respDec := gob.NewEncoder(&respBuf), gob.NewDecoder(&respBuf)
		b.ReportAllocs()
		for b.Loop() {
			var r request
			var a response
			if err := reqEnc.Encode(req); err != nil {
				b.Fatal(err)
			}
			if err := reqDec.Decode(&r); err != nil {
				b.Fatal(err)
			}
			if err := respEnc.Encode(resp); err != nil {
				b.Fatal(err)
			}
			if err := respDec.Decode(&a); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("binary", func(b *testing.B) {
		var buf []byte
		b.ReportAllocs()
		for b.Loop() {
			var err error
			if buf, err = appendRequestFrame(buf, req); err != nil {
				b.Fatal(err)
			}
			if _, err := decodeRequest(buf[frameHeader:]); err != nil {
				b.Fatal(err)
			}
			if buf, err = appendResponseFrame(buf, resp); err != nil {
				b.Fatal(err)
			}
			if _, err := decodeResponse(buf[frameHeader:]); err != nil {
				b.Fatal(err)
			}
		}
	})
}
