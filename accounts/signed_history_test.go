package accounts_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"testing"

	"indicia/accounts"
	"indicia/db/dbtest"
	"indicia/metering/box"
	"indicia/metering/meteringtest"
)

func TestLoginHistoryIsAChainSignedByTheTransactionBox(t *testing.T) {
	b := meteringtest.Start(t)
	pool := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	s, err := accounts.New(pool, rdb, accounts.Options{RedisPrefix: prefix, Pepper: b.Client, Signer: b.Client})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	signUp(t, s, "chain@example.com")
	for _, pw := range []string{"wrong password!", "correct horse battery", "wrong again!!"} {
		s.Login(ctx, accounts.LoginAttempt{Email: "chain@example.com", Password: pw, IP: "10.1.1.1", UserAgent: "t"})
	}
	keys, err := b.Client.Certificates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(keys.TxKeyPEM)
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	pub := k.(*ecdsa.PublicKey)
	rows, err := pool.Query(ctx, `SELECT tx_seq, tx_time, tx_payload, tx_prev, tx_hash, tx_sig FROM login_history ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var prev []byte
	n := 0
	for rows.Next() {
		st := box.SignedTx{Kind: "login"}
		if err := rows.Scan(&st.Seq, &st.Time, &st.Payload, &st.PrevHash, &st.Hash, &st.Signature); err != nil {
			t.Fatalf("row %d is not signed: %v", n, err)
		}
		if err := st.Verify(pub); err != nil {
			t.Errorf("login record %d does not verify: %v", st.Seq, err)
		}
		if string(st.PrevHash) != string(prev) {
			t.Errorf("login record %d does not chain to the one before", st.Seq)
		}
		prev = st.Hash
		n++
	}
	if n != 3 {
		t.Fatalf("%d signed login records, want 3", n)
	}
	// An edited record is caught at the next login: the box refuses to chain
	// onto it, and the login starts a new segment instead of being lost.
	if _, err := pool.Exec(ctx, `UPDATE login_history SET tx_payload = tx_payload || ' ' WHERE id = (SELECT max(id) FROM login_history)`); err != nil {
		t.Fatal(err)
	}
	s.Login(ctx, accounts.LoginAttempt{Email: "chain@example.com", Password: "correct horse battery", IP: "10.1.1.1", UserAgent: "t"})
	var total, unsigned int
	if err := pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE tx_seq IS NULL) FROM login_history`).Scan(&total, &unsigned); err != nil {
		t.Fatal(err)
	}
	if total != 4 || unsigned != 0 {
		t.Errorf("%d login records (%d unsigned) after a login behind an edited record, want 4 signed", total, unsigned)
	}
}
