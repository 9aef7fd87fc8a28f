package box

import (
	"crypto/hmac"
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

// canonical is the unambiguous encoding of every field but the MAC: each
// field is length-prefixed, integers are 8 bytes big-endian.
func (r *Record) canonical() []byte {
	b := make([]byte, 0, 256)
	b = appendField(b, []byte("indicia meter record v1"))
	for _, s := range []string{r.Serial, r.MfgNumber, r.OriginZIP, r.Status, r.SuspendReason, r.MACVersion} {
		b = appendField(b, []byte(s))
	}
	for _, n := range []int64{r.AccountID, r.AR, r.DR, r.PieceCount, r.Counter, int64(r.KeyVersion)} {
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	b = appendField(b, r.WrappedKey)
	b = appendField(b, r.ChainHead)
	return b
}

// Hash identifies one exact version of a record (MAC excluded: it is a
// function of the rest). The freshness store keeps it.
func (r *Record) Hash() [32]byte { return sha256.Sum256(r.canonical()) }

func (r *Record) computeMAC(key []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(r.canonical())
	return m.Sum(nil)
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
