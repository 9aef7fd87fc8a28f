package box

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"indicia/metering/indicium"
)

var ctx = context.Background()

func TestDispenseSignsVerifiableIndicia(t *testing.T) {
	e := newEnv(t, time.Now())
	c, _ := e.start(t)
	m := activeMeter(t, c, "IND-0001", "12345", 10_000)
	roots := vendorRoots(t, c)

	res, err := c.Dispense(ctx, m.rec, []Piece{piece(73, "10001"), piece(127, "902101234")})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Pieces {
		m.store(t, res.Record, p.Tx)
	}
	if r := res.Record; r.AR != 200 || r.DR != 9_800 || r.PieceCount != 2 || r.Counter != m.txs[3].Counter+1 {
		t.Fatalf("registers after a 2-piece batch: %+v", r)
	}
	for i, p := range res.Pieces {
		in, err := indicium.Parse(p.Indicium)
		if err != nil {
			t.Fatal(err)
		}
		if err := indicium.VerifyWithCertificates(in, roots[0], m.cert); err != nil {
			t.Fatalf("piece %d: %v", i, err)
		}
		if in.PieceCount != int64(i+1) || in.OriginZIP != "12345" || in.Postage != p.Tx.Amount || in.AR != []int64{73, 200}[i] ||
			in.DR != []int64{9_927, 9_800}[i] || in.Version != indicium.Version2 || in.Software != SoftwareID || in.HighS() ||
			m.cert.SerialNumber.Cmp(new(big.Int).SetBytes(in.CertSerial)) != 0 {
			t.Fatalf("piece %d fields: %+v", i, in.Fields)
		}
	}
	checkChain(t, m)
	if err := c.Commit(ctx, m.rec.Serial, m.rec.Counter); err != nil {
		t.Fatal(err)
	}
	if err := c.VerifyRecord(ctx, m.rec); err != nil {
		t.Fatal(err)
	}
}

func TestEditedRecordIsTamper(t *testing.T) {
	e := newEnv(t, time.Now())
	c, _ := e.start(t)
	m := activeMeter(t, c, "IND-0002", "12345", 10_000)
	edits := map[string]func(r *Record){
		"ascending register":  func(r *Record) { r.AR += 100 },
		"descending register": func(r *Record) { r.DR += 100 },
		"piece count":         func(r *Record) { r.PieceCount-- },
		"counter":             func(r *Record) { r.Counter++ },
		"wrapped key":         func(r *Record) { r.WrappedKey[20] ^= 1 },
		"status":              func(r *Record) { r.Status = StatusSuspended; r.SuspendReason = ReasonInspection },
		"origin":              func(r *Record) { r.OriginZIP = "99999" },
		"chain head":          func(r *Record) { r.ChainHead = nil },
		"mac version":         func(r *Record) { r.MACVersion = "2001-01" },
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			rec := m.rec.clone()
			rec.MAC = append([]byte(nil), m.rec.MAC...)
			edit(&rec)
			_, err := c.Dispense(ctx, rec, pieces(1, 50))
			wantErr(t, err, ErrTamperMAC)
			var te *TamperError
			if !errors.As(err, &te) || te.Serial != "IND-0002" {
				t.Fatalf("want a TamperError for the meter, got %#v", err)
			}
		})
	}
	// Nothing was dispensed: the untouched record still works.
	if _, err := c.Dispense(ctx, m.rec, pieces(1, 50)); err != nil {
		t.Fatal(err)
	}
}

func TestOlderRecordReplayedIsTamper(t *testing.T) {
	e := newEnv(t, time.Now())
	c, _ := e.start(t)
	m := activeMeter(t, c, "IND-0003", "12345", 10_000)
	old := m.rec
	res, err := c.Dispense(ctx, m.rec, pieces(1, 500))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Commit(ctx, m.rec.Serial, res.Record.Counter); err != nil {
		t.Fatal(err)
	}
	// The old record has a valid MAC and more money in it.
	_, err = c.Dispense(ctx, old, pieces(1, 500))
	wantErr(t, err, ErrTamperFreshness)
	wantErr(t, c.VerifyRecord(ctx, old), ErrTamperFreshness)
	if err := c.VerifyRecord(ctx, res.Record); err != nil {
		t.Fatal(err)
	}
}

func TestInsufficientFundsChangesNothing(t *testing.T) {
	e := newEnv(t, time.Now())
	c, _ := e.start(t)
	m := activeMeter(t, c, "IND-0004", "12345", 1_000)
	_, err := c.Dispense(ctx, m.rec, pieces(3, 400)) // 1,200 > 1,000
	wantErr(t, err, ErrInsufficientFunds)
	res, err := c.Dispense(ctx, m.rec, pieces(2, 500)) // exactly the balance, same record
	if err != nil {
		t.Fatal(err)
	}
	if res.Record.DR != 0 || res.Record.AR != 1_000 || res.Record.PieceCount != 2 {
		t.Fatalf("registers: %+v", res.Record)
	}
}

func TestSuspendedMeterDispensesNothing(t *testing.T) {
	e := newEnv(t, time.Now())
	c, _ := e.start(t)
	m := activeMeter(t, c, "IND-0005", "12345", 1_000)
	rec, tx, err := c.SetStatus(ctx, m.rec, StatusSuspended, ReasonCreditAbuse)
	if err != nil {
		t.Fatal(err)
	}
	m.store(t, rec, tx)
	_, err = c.Dispense(ctx, m.rec, pieces(1, 100))
	wantErr(t, err, ErrMeterNotActive)
	_, _, err = c.SetStatus(ctx, m.rec, StatusSuspended, "")
	wantErr(t, err, ErrBadRequest)
	if rec, tx, err = c.SetStatus(ctx, m.rec, StatusActive, ""); err != nil {
		t.Fatal(err)
	}
	m.store(t, rec, tx)
	if _, err := c.Dispense(ctx, m.rec, pieces(1, 100)); err != nil {
		t.Fatal(err)
	}
	checkChain(t, m)
}

func TestFloatingOriginTakesPieceOrigin(t *testing.T) {
	e := newEnv(t, time.Now())
	c, _ := e.start(t)
	m := activeMeter(t, c, "IND-0006", FloatingOrigin, 1_000)
	_, err := c.Dispense(ctx, m.rec, pieces(1, 100)) // no origin given
	wantErr(t, err, ErrBadRequest)
	p := piece(100, "10001")
	p.OriginZIP = "60601"
	res, err := c.Dispense(ctx, m.rec, []Piece{p})
	if err != nil {
		t.Fatal(err)
	}
	in, _ := indicium.Parse(res.Pieces[0].Indicium)
	if in.OriginZIP != "60601" || res.Pieces[0].Tx.OriginZIP != "60601" {
		t.Fatalf("origin: indicium %s, tx %s", in.OriginZIP, res.Pieces[0].Tx.OriginZIP)
	}
}

// The database rolled back: record n is presented again while n+1 is
// pending. The box drops the pending step and goes on; the dropped n+1 is
// refused afterwards.
func TestDatabaseRollbackIsAccepted(t *testing.T) {
	e := newEnv(t, time.Now())
	c, _ := e.start(t)
	m := activeMeter(t, c, "IND-0007", "12345", 1_000)
	dropped, err := c.Dispense(ctx, m.rec, pieces(1, 300))
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Dispense(ctx, m.rec, pieces(1, 200)) // record n again
	if err != nil {
		t.Fatalf("rolled-back database refused: %v", err)
	}
	if res.Record.Counter != dropped.Record.Counter || res.Record.DR != 800 {
		t.Fatalf("after rollback: %+v", res.Record)
	}
	if err := c.Commit(ctx, m.rec.Serial, res.Record.Counter); err != nil {
		t.Fatal(err)
	}
	_, err = c.Dispense(ctx, dropped.Record, pieces(1, 100))
	wantErr(t, err, ErrTamperFreshness)
}

// The database committed n+1 but the Commit call never came.
func TestDatabaseCommitWithoutCommitCall(t *testing.T) {
	e := newEnv(t, time.Now())
	c, _ := e.start(t)
	m := activeMeter(t, c, "IND-0008", "12345", 1_000)
	first, err := c.Dispense(ctx, m.rec, pieces(1, 300))
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.Dispense(ctx, first.Record, pieces(1, 300))
	if err != nil {
		t.Fatalf("committed record refused: %v", err)
	}
	if second.Record.DR != 400 || second.Record.PieceCount != 2 {
		t.Fatalf("registers: %+v", second.Record)
	}
	// n is now stale: the box knows the database moved on.
	_, err = c.Dispense(ctx, m.rec, pieces(1, 300))
	wantErr(t, err, ErrTamperFreshness)
	wantErr(t, c.Commit(ctx, m.rec.Serial, 99), ErrBadRequest)
}

// The Commit call for n+1 arrives after the meter's next step (which showed
// record n+1 and so committed it): a no-op that leaves the new pending step
// alone, so the database's n+2 is still taken as committed afterwards.
func TestLateCommitAfterTheNextStep(t *testing.T) {
	e := newEnv(t, time.Now())
	c, _ := e.start(t)
	m := activeMeter(t, c, "IND-0009", "12345", 1_000)
	first, err := c.Dispense(ctx, m.rec, pieces(1, 300))
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.Dispense(ctx, first.Record, pieces(1, 300))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Commit(ctx, m.rec.Serial, first.Record.Counter); err != nil {
		t.Fatalf("late commit of n+1: %v", err)
	}
	// n+1 is committed, n+2 still pending: n+1 shown again is a rollback of n+2 ...
	if err := c.VerifyRecord(ctx, first.Record); err != nil {
		t.Fatalf("n+1 after the late commit: %v", err)
	}
	// ... and n+2 committing works.
	if err := c.Commit(ctx, m.rec.Serial, second.Record.Counter); err != nil {
		t.Fatalf("commit of n+2: %v", err)
	}
	_, err = c.Dispense(ctx, first.Record, pieces(1, 100))
	wantErr(t, err, ErrTamperFreshness)
}

func TestKeyRotationOldRecordsStillVerify(t *testing.T) {
	e := newEnv(t, time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC))
	c, stop := e.start(t)
	m := activeMeter(t, c, "IND-0009", "12345", 1_000)
	if m.rec.MACVersion != "2026-11" {
		t.Fatalf("MAC version %q", m.rec.MACVersion)
	}
	stop()

	env := func(k string) string { return e.keysEnv()[k] }
	var out, errOut strings.Builder
	if err := RunKeysCLI([]string{"rotate", "-month", "2026-12"}, env, &out, &errOut); err != nil {
		t.Fatal(err, errOut.String())
	}
	if err := RunKeysCLI([]string{"rotate", "-month", "2026-10"}, env, &out, &errOut); err == nil {
		t.Fatal("rotating to an older month succeeded")
	}

	c, _ = e.start(t)
	if err := c.VerifyRecord(ctx, m.rec); err != nil {
		t.Fatalf("record MACed under 2026-11 after rotation: %v", err)
	}
	res, err := c.Dispense(ctx, m.rec, pieces(1, 100))
	if err != nil {
		t.Fatal(err)
	}
	if res.Record.MACVersion != "2026-12" {
		t.Fatalf("new record MAC version %q, want 2026-12", res.Record.MACVersion)
	}
	if err := c.VerifyRecord(ctx, res.Record); err != nil {
		t.Fatal(err)
	}
}

func TestBoxWithoutStateRefusesUsedRecords(t *testing.T) {
	e := newEnv(t, time.Now())
	c, stop := e.start(t)
	m := activeMeter(t, c, "IND-0010", "12345", 1_000)
	stop()
	if err := os.RemoveAll(e.state); err != nil {
		t.Fatal(err)
	}
	c, _ = e.start(t)
	_, err := c.Dispense(ctx, m.rec, pieces(1, 100))
	wantErr(t, err, ErrTamperFreshness)
}

func TestKeystoreRefusesWrongPassphrase(t *testing.T) {
	e := newFileEnv(t, time.Now())
	if _, err := OpenKeystore(e.keystore, []byte("not the passphrase!")); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("got %v", err)
	}
	cfg := e.config()
	cfg.Passphrase = []byte("not the passphrase!")
	if err := RunServer(ctx, cfg); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("server started with a wrong passphrase: %v", err)
	}
	cfg.KeystorePath = filepath.Join(e.dir, "missing.bin")
	if err := RunServer(ctx, cfg); err == nil {
		t.Fatal("server started without a keystore")
	}
}

func TestSocketIsPrivate(t *testing.T) {
	e := newEnv(t, time.Now())
	e.start(t)
	for path, want := range map[string]os.FileMode{e.socket: 0o600, filepath.Dir(e.socket): 0o700} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s mode %o, want %o", path, fi.Mode().Perm(), want)
		}
	}
}

func TestTransactionBoxChain(t *testing.T) {
	e := newEnv(t, time.Now())
	c, _ := e.start(t)
	keys, err := c.Certificates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pub := parsePublicKeyPEM(t, keys.TxKeyPEM)
	first, err := c.SignTransaction(ctx, "login", []byte(`{"user":1,"ok":true}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.SignTransaction(ctx, "login", []byte(`{"user":2,"ok":false}`), &first)
	if err != nil {
		t.Fatal(err)
	}
	for _, tx := range []SignedTx{first, second} {
		if err := tx.Verify(pub); err != nil {
			t.Fatal(err)
		}
	}
	if second.Seq != 2 || string(second.PrevHash) != string(first.Hash) {
		t.Fatalf("second record does not chain: %+v", second)
	}
	forged := second
	forged.Payload = []byte(`{"user":2,"ok":true}`)
	if forged.Verify(pub) == nil {
		t.Fatal("edited record verifies")
	}
	_, err = c.SignTransaction(ctx, "login", nil, &forged)
	wantErr(t, err, ErrBadRequest)
	_, err = c.SignTransaction(ctx, "funds", nil, &second) // another chain's record
	wantErr(t, err, ErrBadRequest)
}

func TestPepper(t *testing.T) {
	e := newEnv(t, time.Now())
	c, _ := e.start(t)
	a1, err := c.Pepper(ctx, []byte("hunter2"))
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := c.Pepper(ctx, []byte("hunter2"))
	b, _ := c.Pepper(ctx, []byte("hunter3"))
	if len(a1) != 32 || string(a1) != string(a2) || string(a1) == string(b) {
		t.Fatal("pepper is not a stable keyed function of the password")
	}
	// Another keystore, another pepper: the output depends on the key.
	other := newEnv(t, time.Now())
	c2, _ := other.start(t)
	a3, _ := c2.Pepper(ctx, []byte("hunter2"))
	if string(a3) == string(a1) {
		t.Fatal("pepper does not depend on the box key")
	}
}

// A certificate made before serials were derived from the key has a random
// serial: the caller passes it and the indicium carries it.
func TestDispenseCarriesAGivenCertificateSerial(t *testing.T) {
	e := newEnv(t, time.Now())
	c, _ := e.start(t)
	m := activeMeter(t, c, "IND-0009", "12345", 10_000)
	p := piece(73, "10001")
	p.CertSerial = []byte{0x1f, 0xee, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e}
	res, err := c.Dispense(ctx, m.rec, []Piece{p})
	if err != nil {
		t.Fatal(err)
	}
	in, err := indicium.Parse(res.Pieces[0].Indicium)
	if err != nil {
		t.Fatal(err)
	}
	if string(in.CertSerial) != string(p.CertSerial) {
		t.Fatalf("certificate serial %x, want %x", in.CertSerial, p.CertSerial)
	}
	key := m.cert.PublicKey.(*ecdsa.PublicKey)
	if err := in.Verify(key); err != nil {
		t.Fatal(err)
	}
	p.CertSerial = []byte{0, 1}
	if _, err := c.Dispense(ctx, res.Record, []Piece{p}); !errors.Is(err, ErrBadRequest) {
		t.Fatalf("certificate serial with a leading zero: %v", err)
	}
}
