package box

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"testing"
)

// canonicalV1 is the record's canonical encoding as first written (one
// heap buffer, crypto/hmac over it): the MACs and hashes of every stored
// record were made from it.
func canonicalV1(r *Record) []byte {
	var b []byte
	field := func(f []byte) {
		b = binary.BigEndian.AppendUint32(b, uint32(len(f)))
		b = append(b, f...)
	}
	field([]byte("indicia meter record v1"))
	for _, s := range []string{r.Serial, r.MfgNumber, r.OriginZIP, r.Status, r.SuspendReason, r.MACVersion} {
		field([]byte(s))
	}
	for _, n := range []int64{r.AccountID, r.AR, r.DR, r.PieceCount, r.Counter, int64(r.KeyVersion)} {
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	field(r.WrappedKey)
	field(r.ChainHead)
	return b
}

func TestComputeMACIsHMAC(t *testing.T) {
	rnd := func(n int) []byte {
		b := make([]byte, n)
		rand.Read(b)
		return b
	}
	for _, keyLen := range []int{0, 1, 16, 32, 63, 64, 65, 100, 200} {
		// Wrapped keys past the stack buffer take the heap path.
		for _, wrapped := range []int{0, 125, 400, 1000} {
			r := Record{Serial: "IND-00042", MfgNumber: "MFG-1", AccountID: 7, OriginZIP: "12345", Status: StatusActive,
				AR: 1234, DR: -5, PieceCount: 99, Counter: 1 << 40, WrappedKey: rnd(wrapped), KeyVersion: 3,
				MACVersion: "2026-12", ChainHead: rnd(32)}
			key := rnd(keyLen)
			m := hmac.New(sha256.New, key)
			m.Write(canonicalV1(&r))
			if got, want := r.computeMAC(key), m.Sum(nil); !bytes.Equal(got, want) {
				t.Errorf("key %d bytes, wrapped key %d bytes: MAC %x, crypto/hmac %x", keyLen, wrapped, got, want)
			}
			if got, want := r.Hash(), sha256.Sum256(canonicalV1(&r)); got != want {
				t.Errorf("wrapped key %d bytes: hash %x, want %x", wrapped, got, want)
			}
		}
	}
}

func BenchmarkRecordMAC(b *testing.B) {
	r := Record{Serial: "IND-00042", MfgNumber: "MFG-1", OriginZIP: "12345", Status: StatusActive,
		WrappedKey: make([]byte, 125), MACVersion: "2026-12", ChainHead: make([]byte, 32)}
	key := make([]byte, 32)
	b.ReportAllocs()
	for b.Loop() {
		r.computeMAC(key)
		r.Hash()
	}
}
