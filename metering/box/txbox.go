package box

// SignTransaction is the transaction box: it chains and signs a record of
// kind (login history, funds transfers) after checking that prev, the
// chain's previous record as the caller stored it, carries the box's own
// signature and the same kind. prev is nil for a chain's first record.
func (b *Box) SignTransaction(kind string, payload []byte, prev *SignedTx) (SignedTx, error) {
	if kind == "" || len(kind) > 64 || len(payload) > 64<<10 {
		return SignedTx{}, badRequest("signed transaction: kind 1-64 bytes, payload at most 64 KiB")
	}
	tx := SignedTx{Kind: kind, Seq: 1, Time: b.now(), Payload: payload}
	if prev != nil {
		if err := prev.Verify(b.ops.TxPublicKey()); err != nil || prev.Kind != kind {
			return SignedTx{}, badRequest("signed transaction: previous %s record #%d is not a valid record of this chain", kind, prev.Seq)
		}
		tx.Seq, tx.PrevHash = prev.Seq+1, prev.Hash
	}
	tx.Hash = tx.computeHash()
	var err error
	tx.Signature, err = b.ops.SignTx(tx.Hash)
	return tx, err
}

// Pepper is the authentication box: HMAC-SHA256 of the password under a
// key only the box holds. Serve hashes the pepper's output with argon2id,
// so a stolen database alone cannot be guessed against offline.
func (b *Box) Pepper(password []byte) ([]byte, error) {
	if len(password) > 4096 {
		return nil, badRequest("password longer than 4096 bytes")
	}
	return b.ops.Pepper(append([]byte("indicia password pepper v1\x00"), password...))
}
