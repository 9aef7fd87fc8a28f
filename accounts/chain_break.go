package accounts

import (
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"

	"indicia/metering/box"
)

// Reasons a link of the login chain broke, as stored on the alert.
const (
	BreakEdited    = "edited"    // the record's fields no longer match its signed hash
	BreakSignature = "signature" // the hash and signature are not the box's
	BreakRefused   = "refused"   // the box refused the record for another reason
)

// chainBreak is what the login that found a broken link reports.
type chainBreak struct {
	loginID int64
	segment int // the new segment
	reason  string
	detail  string
}

// keySource gives the transaction box's public key; box.Client has it. It is
// optional: without it the alert carries the box's refusal only.
type keySource interface {
	Certificates(ctx context.Context) (box.PublicKeys, error)
}

// diagnose says what is wrong with the stored record the box refused.
func (s *Service) diagnose(ctx context.Context, last chainRecord, refusal error) *chainBreak {
	b := &chainBreak{loginID: last.id, reason: BreakRefused}
	where := fmt.Sprintf("login record #%d (segment %d, seq %d)", last.id, last.segment, last.tx.Seq)
	b.detail = fmt.Sprintf("%s: the transaction box refused to chain onto it: %v", where, refusal)
	ks, ok := s.opt.Signer.(keySource)
	if !ok {
		return b
	}
	keys, err := ks.Certificates(ctx)
	if err != nil {
		return b
	}
	pub, err := ParseTxKey(keys.TxKeyPEM)
	if err != nil {
		return b
	}
	b.reason, b.detail = recordFault(where, last.tx, pub)
	return b
}

// recordFault names what is wrong with a record that does not verify.
func recordFault(where string, t box.SignedTx, pub *ecdsa.PublicKey) (reason, detail string) {
	switch {
	case t.Verify(pub) == nil:
		return BreakRefused, where + ": it verifies with the transaction box's key, yet the box refused to chain onto it"
	case signedBy(pub, t.Hash, t.Signature):
		return BreakEdited, where + ": it was changed after it was signed (its fields no longer match its signed hash)"
	default:
		return BreakSignature, where + ": its hash or signature was replaced (the signature is not the transaction box's)"
	}
}

func signedBy(pub *ecdsa.PublicKey, digest, sig []byte) bool {
	if len(sig) != 64 {
		return false
	}
	return ecdsa.Verify(pub, digest, new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:]))
}

// ParseTxKey reads the transaction box's public key (PEM, as in
// box.PublicKeys.TxKeyPEM).
func ParseTxKey(pemBytes []byte) (*ecdsa.PublicKey, error) {
	blk, _ := pem.Decode(pemBytes)
	if blk == nil {
		return nil, errors.New("transaction box key is not PEM")
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("transaction box key: %w", err)
	}
	pub, ok := k.(*ecdsa.PublicKey)
	if !ok {
		return nil, errors.New("transaction box key is not ECDSA")
	}
	return pub, nil
}
