package box

import (
	"crypto/sha256"
	"encoding/binary"
)

// Meter statuses.
const (
	StatusManufactured = "manufactured"
	StatusRegistered   = "registered"
	StatusActive       = "active"
	StatusSuspended    = "suspended"
	StatusRetired      = "retired"
)

// Suspension reasons (SuspendReason is "" unless the status is suspended).
const (
	ReasonInsufficientFunds = "insufficient_funds"
	ReasonInspection        = "inspection"
	ReasonCreditAbuse       = "credit_abuse"
	ReasonMeterAbuse        = "meter_abuse"
	ReasonTamper            = "tamper"
)

// FloatingOrigin is the origin ZIP of a meter whose mailer picks the origin
// of deposit per purchase.
const FloatingOrigin = "00000"

// Record is the meter record as the database stores it, one column per
// field. Only the box can produce a valid MAC; any edit is detected.
type Record struct {
	Serial        string `json:"serial"`
	MfgNumber     string `json:"mfg_number"`
	AccountID     int64  `json:"account_id"`
	OriginZIP     string `json:"origin_zip"`
	Status        string `json:"status"`
	SuspendReason string `json:"suspend_reason"`
	AR            int64  `json:"ascending_register"`  // cents
	DR            int64  `json:"descending_register"` // cents
	PieceCount    int64  `json:"piece_count"`
	Counter       int64  `json:"update_counter"` // freshness: +1 on every box operation
	WrappedKey    []byte `json:"wrapped_key"`    // meter signing key, AES-256-GCM under the box
	KeyVersion    int    `json:"key_version"`
	MACVersion    string `json:"mac_version"` // record-MAC key month, e.g. "2026-11"
	ChainHead     []byte `json:"chain_head"`  // hash of this meter's last transaction record
	MAC           []byte `json:"mac"`
}

// appendCanonical appends the unambiguous encoding of every field but the
// MAC to b: each field is length-prefixed, integers are 8 bytes big-endian.
// The hash and the MAC, computed several times per step, encode it into a
// buffer on the stack.
func (r *Record) appendCanonical(b []byte) []byte {
	b = appendStrField(b, "indicia meter record v1")
	for _, s := range [...]string{r.Serial, r.MfgNumber, r.OriginZIP, r.Status, r.SuspendReason, r.MACVersion} {
		b = appendStrField(b, s)
	}
	for _, n := range [...]int64{r.AccountID, r.AR, r.DR, r.PieceCount, r.Counter, int64(r.KeyVersion)} {
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	b = appendField(b, r.WrappedKey)
	return appendField(b, r.ChainHead)
}

// canonicalBuf is room for a record's canonical encoding (about 300 bytes
// with a file-keystore wrapped key); a longer one grows onto the heap.
const canonicalBuf = 512

// Hash identifies one exact version of a record (MAC excluded: it is a
// function of the rest). The freshness store keeps it.
func (r *Record) Hash() [32]byte {
	var buf [canonicalBuf]byte
	return sha256.Sum256(r.appendCanonical(buf[:0]))
}

// computeMAC is HMAC-SHA256 (RFC 2104) of the canonical record, written as
// its two hashes over stack buffers: crypto/hmac allocates two digests and
// their pads per call, and the box MACs two records on every step.
// TestComputeMACIsHMAC checks it against crypto/hmac.
func (r *Record) computeMAC(key []byte) []byte {
	var k [sha256.BlockSize]byte
	if len(key) > sha256.BlockSize {
		h := sha256.Sum256(key)
		copy(k[:], h[:])
	} else {
		copy(k[:], key)
	}
	var in [sha256.BlockSize + canonicalBuf]byte
	for i, c := range k {
		in[i] = c ^ 0x36
	}
	inner := sha256.Sum256(r.appendCanonical(in[:sha256.BlockSize]))
	var out [sha256.BlockSize + sha256.Size]byte
	for i, c := range k {
		out[i] = c ^ 0x5c
	}
	copy(out[sha256.BlockSize:], inner[:])
	mac := sha256.Sum256(out[:])
	return mac[:]
}

func (r Record) clone() Record {
	r.WrappedKey = append([]byte(nil), r.WrappedKey...)
	r.ChainHead = append([]byte(nil), r.ChainHead...)
	r.MAC = nil
	return r
}

func appendField(b, f []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(f)))
	return append(b, f...)
}

func appendStrField(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}
