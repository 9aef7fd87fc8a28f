package box

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"time"

	"indicia/metering/indicium"
)

// Transaction record kinds in a meter's hash chain.
const (
	TxPostage = "postage"
	TxCredit  = "credit"
	TxStatus  = "status" // lifecycle changes: status and origin
)

// TxRecord is one signed entry of a meter's hash chain: every postage
// piece, credit and lifecycle change. Hash covers every field but Hash and
// Signature; Signature is the meter key's ECDSA P-256 r||s over Hash.
// PrevHash is the Hash of the meter's previous record (empty for the
// first), so a deleted or edited record breaks the chain, and the chain's
// head is kept in the MACed meter record.
type TxRecord struct {
	Kind         string    `json:"kind"`
	Serial       string    `json:"serial"`
	Time         time.Time `json:"time"`          // when the box made the record (UTC)
	Counter      int64     `json:"counter"`       // meter record counter after the operation
	IndiciumDate string    `json:"indicium_date"` // YYYYMMDD (postage)
	OriginZIP    string    `json:"origin_zip"`
	DeliveryZIP  string    `json:"delivery_zip"`
	Amount       int64     `json:"amount"`       // cents: postage, credit
	PieceNumber  int64     `json:"piece_number"` // meter piece count after this piece (postage)
	TransferID   string    `json:"transfer_id"`  // credit: the caller's funds-transfer id
	Detail       string    `json:"detail"`       // status: "status reason origin"
	PrevHash     []byte    `json:"prev_hash"`
	Hash         []byte    `json:"hash"`
	Signature    []byte    `json:"signature"`
}

func (t *TxRecord) computeHash() []byte {
	b := make([]byte, 0, 200)
	b = appendField(b, []byte("indicia meter tx v1"))
	for _, s := range []string{t.Kind, t.Serial, t.IndiciumDate, t.OriginZIP, t.DeliveryZIP, t.TransferID, t.Detail} {
		b = appendField(b, []byte(s))
	}
	for _, n := range []int64{t.Time.UnixNano(), t.Counter, t.Amount, t.PieceNumber} {
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	b = appendField(b, t.PrevHash)
	sum := sha256.Sum256(b)
	return sum[:]
}

// Verify checks the record's hash and the meter's signature over it. A
// chain is checked by also comparing each PrevHash with the Hash before it.
func (t TxRecord) Verify(meterKey *ecdsa.PublicKey) error {
	if string(t.computeHash()) != string(t.Hash) {
		return errors.New("box: transaction record hash does not match its fields")
	}
	if !verifyRS(meterKey, t.Hash, t.Signature) {
		return errors.New("box: transaction record signature does not verify")
	}
	return nil
}

// SignedTx is one record of a transaction-box chain (login history, funds
// transfers): the caller's payload, chained and signed with the
// transaction-box key.
type SignedTx struct {
	Kind      string    `json:"kind"`
	Seq       int64     `json:"seq"` // 1 for the first record of a chain
	Time      time.Time `json:"time"`
	Payload   []byte    `json:"payload"`
	PrevHash  []byte    `json:"prev_hash"`
	Hash      []byte    `json:"hash"`
	Signature []byte    `json:"signature"` // ECDSA P-256 r||s over Hash
}

func (t *SignedTx) computeHash() []byte {
	b := appendField(nil, []byte("indicia signed tx v1"))
	b = appendField(b, []byte(t.Kind))
	b = binary.BigEndian.AppendUint64(b, uint64(t.Seq))
	b = binary.BigEndian.AppendUint64(b, uint64(t.Time.UnixNano()))
	b = appendField(b, t.Payload)
	b = appendField(b, t.PrevHash)
	sum := sha256.Sum256(b)
	return sum[:]
}

// Verify checks the hash and the transaction box's signature (its public
// key comes from `indicia keys export-public`).
func (t SignedTx) Verify(txBoxKey *ecdsa.PublicKey) error {
	if string(t.computeHash()) != string(t.Hash) {
		return errors.New("box: signed transaction hash does not match its fields")
	}
	if !verifyRS(txBoxKey, t.Hash, t.Signature) {
		return errors.New("box: signed transaction signature does not verify")
	}
	return nil
}

func signRS(key *ecdsa.PrivateKey, digest []byte) ([]byte, error) {
	r, s, err := indicium.SignDigest(key, digest)
	if err != nil {
		return nil, fmt.Errorf("box: sign: %w", err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return sig, nil
}

func verifyRS(pub *ecdsa.PublicKey, digest, sig []byte) bool {
	if pub == nil || len(sig) != 64 {
		return false
	}
	return ecdsa.Verify(pub, digest, new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:]))
}
