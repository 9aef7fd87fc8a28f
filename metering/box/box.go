package box

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math/big"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"indicia/metering/indicium"
)

var serialRE = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{0,31}$`)

// Box is the secure box: meter box, steel box (keys), transaction box and
// authentication box in one process. Its methods are what the socket
// server exposes; the Client mirrors them.
type Box struct {
	ops   KeyOps // the box's own keys: file keystore or PKCS#11 token
	store stateStore
	log   *slog.Logger
	now   func() time.Time
	locks [256]sync.Mutex // per-meter serialisation, striped by serial
	pub   PublicKeys
	keys  keyCache
	// unsynced holds the durable write of each chained step answered and
	// not yet confirmed (chained.go).
	unsynced unsyncedWrites
	// macVersions is the record-MAC key versions held, oldest first,
	// replaced whole when a version is added while the box runs
	// (rotate.go); rotMu serializes rotations.
	macVersions atomic.Pointer[[]string]
	rotMu       sync.Mutex
	// started and version are what Hello reports of this process.
	started time.Time
	version string
}

// stateStore is the freshness store as the box uses it: the single box's
// append-only log (freshStore) or the raft-replicated store of a box
// cluster (clusterStore). Both keep the states in memory; a durable write
// means on the local disk for the one, on a majority of boxes for the other.
type stateStore interface {
	// get returns a meter's state; ok is false for a meter never seen.
	get(serial string) (st meterState, ok bool, err error)
	// setCached changes the in-memory state ahead of its write.
	setCached(serial string, st meterState)
	// put starts a durable write, applied to memory once durable.
	put(serial string, st meterState) <-chan error
	// putEarly sets the in-memory state at once and starts its durable write.
	putEarly(serial string, st meterState) <-chan error
	// putLazy queues a write that later durable writes make durable.
	putLazy(serial string, st meterState)
	// serving is nil when this box may answer meter operations: always for
	// a single box, only on the leader of a cluster.
	serving() error
	// confirmLeader is nil when this box still serves after asking: a
	// cluster leader asks the majority before it calls a record a replay.
	confirmLeader() error
	// lastDurableWrite is when a write last became durable (zero: none yet).
	lastDurableWrite() time.Time
	close() error
}

// New opens the freshness store in stateDir and returns a box holding ks
// in memory; a rotation while it runs is not saved.
func New(ks *Keystore, stateDir string, log *slog.Logger) (*Box, error) {
	return NewWithKeys(newFileKeys(ks, "", nil), stateDir, log)
}

// NewWithKeys opens the freshness store in stateDir and returns a box
// using ops for its own keys.
func NewWithKeys(ops KeyOps, stateDir string, log *slog.Logger) (*Box, error) {
	store, err := openFreshStore(stateDir)
	if err != nil {
		return nil, err
	}
	return newBox(ops, store, log)
}

// newBox returns a box using ops over an open freshness store, which it
// closes if it fails.
func newBox(ops KeyOps, store stateStore, log *slog.Logger) (*Box, error) {
	if log == nil {
		log = slog.Default()
	}
	pub, err := publicKeys(ops)
	if err != nil {
		store.close()
		return nil, err
	}
	b := &Box{ops: ops, store: store, log: log, pub: pub, started: time.Now().UTC(),
		now: func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }, // PostgreSQL keeps microseconds
	}
	if cs, ok := store.(*clusterStore); ok {
		// Versions the cluster adds reach this box through its log.
		reload := b.reloadMACVersions
		cs.fsm.onMAC.Store(&reload)
	}
	b.reloadMACVersions()
	return b, nil
}

// Close flushes and closes the freshness store.
func (b *Box) Close() error { return b.store.close() }

// PublicKeys are what the box publishes: the vendor root certificate and
// the transaction box's public key, both PEM.
type PublicKeys struct {
	RootCertPEM []byte
	TxKeyPEM    []byte
}

// Certificates returns the published public keys.
func (b *Box) Certificates() PublicKeys { return b.pub }

func (b *Box) lock(serial string) func() {
	h := fnv.New32a()
	h.Write([]byte(serial))
	m := &b.locks[h.Sum32()%uint32(len(b.locks))]
	m.Lock()
	return m.Unlock
}

// CreateMeter makes a meter: a fresh P-256 key whose private half leaves
// the box only wrapped, its certificate signed by the vendor root (PEM), and
// the initial MACed record (manufactured, floating origin, zero registers).
func (b *Box) CreateMeter(serial, mfgNumber string, accountID int64) (Record, []byte, error) {
	if !serialRE.MatchString(serial) {
		return Record{}, nil, badRequest("serial %q: want 1-32 of A-Z, 0-9 and -", serial)
	}
	if len(mfgNumber) > 64 {
		return Record{}, nil, badRequest("manufacturing number longer than 64")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Record{}, nil, fmt.Errorf("box: create meter %s: %w", serial, err)
	}
	rec := Record{Serial: serial, MfgNumber: mfgNumber, AccountID: accountID, OriginZIP: FloatingOrigin,
		Status: StatusManufactured, KeyVersion: 1, MACVersion: b.currentMAC()}
	if rec.WrappedKey, err = b.wrap(serial, rec.KeyVersion, key); err != nil {
		return Record{}, nil, fmt.Errorf("box: create meter %s: %w", serial, err)
	}
	keyID, err := indicium.KeyID(&key.PublicKey)
	if err != nil {
		return Record{}, nil, err
	}
	// The serial is derived from the key so the box can name the
	// certificate in every indicium without storing it.
	certSerial, err := indicium.CertSerial(&key.PublicKey)
	if err != nil {
		return Record{}, nil, err
	}
	now := b.now()
	tmpl := &x509.Certificate{
		SerialNumber:   new(big.Int).SetBytes(certSerial),
		Subject:        pkix.Name{CommonName: serial, Organization: []string{"Indicia meter"}},
		NotBefore:      now.Truncate(24*time.Hour).AddDate(0, 0, -2), // covers indicia dated yesterday
		NotAfter:       now.AddDate(10, 0, 0),
		KeyUsage:       x509.KeyUsageDigitalSignature,
		SubjectKeyId:   keyID[:],
		AuthorityKeyId: b.ops.RootCert().SubjectKeyId,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, b.ops.RootCert(), &key.PublicKey, b.ops.RootSigner())
	if err != nil {
		return Record{}, nil, fmt.Errorf("box: create meter %s: certificate: %w", serial, err)
	}
	if rec.MAC, err = b.mac(&rec); err != nil {
		return Record{}, nil, err
	}
	return rec, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

// wrap seals the private scalar and the public point (D||Q, 32+65 bytes)
// with AES-256-GCM under the master wrapping key (KeyOps); serial and key version are the AAD, so a wrapped key
// moved to another meter does not open. Sealing Q too spares a scalar
// multiplication per unwrap; GCM vouches that D and Q belong together.
func (b *Box) wrap(serial string, version int, key *ecdsa.PrivateKey) ([]byte, error) {
	d, err := key.Bytes()
	if err != nil {
		return nil, err
	}
	q, err := key.PublicKey.Bytes()
	if err != nil {
		return nil, err
	}
	plain := append(d, q...)
	defer clear(plain)
	return b.ops.WrapMeterKey(serial, version, plain)
}

func (b *Box) unwrap(rec *Record) (*ecdsa.PrivateKey, error) {
	if k := b.keys.get(rec); k != nil {
		return k, nil
	}
	k, err := b.unwrapSlow(rec)
	if err == nil {
		b.keys.put(rec, k)
	}
	return k, err
}

func (b *Box) unwrapSlow(rec *Record) (*ecdsa.PrivateKey, error) {
	if len(rec.WrappedKey) < 12 {
		return nil, tamper(ErrTamperMAC, rec.Serial, "wrapped key too short")
	}
	d, err := b.ops.UnwrapMeterKey(rec.Serial, rec.KeyVersion, rec.WrappedKey)
	if err != nil {
		return nil, tamper(ErrTamperMAC, rec.Serial, "wrapped key does not open")
	}
	defer clear(d)
	if len(d) != 32+65 {
		return nil, fmt.Errorf("box: meter %s: unwrapped key has %d bytes", rec.Serial, len(d))
	}
	key, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d[:32])
	if err != nil {
		return nil, fmt.Errorf("box: meter %s: unwrap key: %w", rec.Serial, err)
	}
	// The wrapped public half is derived again from the scalar; the two must
	// agree, or the meter's certificate would not verify what the key signs.
	q, err := key.PublicKey.Bytes()
	if err != nil {
		return nil, fmt.Errorf("box: meter %s: unwrap key: %w", rec.Serial, err)
	}
	if !bytes.Equal(q, d[32:]) {
		return nil, fmt.Errorf("box: meter %s: unwrapped key's public half does not match", rec.Serial)
	}
	return key, nil
}

func wrapAAD(serial string, version int) []byte {
	return fmt.Appendf(nil, "indicia meter key\x00%s\x00%d", serial, version)
}

// macKey is the meter's key for the version, derived from the month's key
// (KeyOps.RecordMACKey): a leaked key of one meter and month says nothing
// about the others.
func (b *Box) macKey(version, serial string) ([]byte, error) {
	if k := b.keys.macKey(version, serial); k != nil {
		return k, nil
	}
	k, err := b.ops.RecordMACKey(version, serial)
	if err == nil {
		b.keys.putMACKey(version, serial, k)
	}
	return k, err
}

func (b *Box) mac(rec *Record) ([]byte, error) {
	key, err := b.macKey(rec.MACVersion, rec.Serial)
	if err != nil {
		return nil, fmt.Errorf("box: mac record %s: %w", rec.Serial, err)
	}
	return rec.computeMAC(key), nil
}

func (b *Box) verifyMAC(rec *Record) error {
	key, err := b.macKey(rec.MACVersion, rec.Serial)
	if err != nil {
		return tamper(ErrTamperMAC, rec.Serial, "%v", err)
	}
	if !hmac.Equal(rec.computeMAC(key), rec.MAC) {
		return tamper(ErrTamperMAC, rec.Serial, "record MAC (version %s) does not match its fields", rec.MACVersion)
	}
	return nil
}

// checkFresh is Fig. 5 step 220 with the box/database hand-off protocol (docs/ARCHITECTURE.md).
// It returns the state to build on: the presented record as committed.
func (b *Box) checkFresh(rec *Record, logRollback bool) (meterState, error) {
	st, known, err := b.store.get(rec.Serial)
	if err != nil {
		return meterState{}, err
	}
	h := rec.Hash()
	current := meterState{Counter: rec.Counter, Hash: h}
	if !known {
		// Every operation passes the store, so a record past counter 0
		// unknown here is either forged (impossible without the MAC key)
		// or from a box whose store was lost: refuse. Counter 0 is the
		// record CreateMeter returned, with zero registers: nothing to gain
		// by replaying it, and the store need not be written at creation
		// (a creation the database rolled back leaves nothing behind).
		if rec.Counter == 0 {
			return current, nil
		}
		return meterState{}, b.staleRecord(rec.Serial, "meter unknown to the box at counter %d", rec.Counter)
	}
	same := rec.Counter == st.Counter && h == st.Hash
	if p := st.Pending; p != nil {
		q := st.Next
		switch {
		case q != nil && rec.Counter == q.Counter && h == q.Hash:
			return current, nil // the database committed both steps
		case rec.Counter == p.Counter && h == p.Hash:
			// The database committed the step; a step chained on it was
			// not (the caller holds the meter's row lock, so it never will be).
			if q != nil && logRollback {
				b.logRollback(rec.Serial, q)
			}
			return current, nil
		case same:
			if logRollback {
				b.logRollback(rec.Serial, p)
				if q != nil {
					b.logRollback(rec.Serial, q)
				}
			}
			return current, nil
		}
		return meterState{}, b.staleRecord(rec.Serial,
			"record counter %d matches neither the committed %d nor a pending step", rec.Counter, st.Counter)
	}
	if same {
		return current, nil
	}
	if rec.Counter < st.Counter {
		return meterState{}, b.staleRecord(rec.Serial, "stale record: counter %d, box has %d", rec.Counter, st.Counter)
	}
	return meterState{}, b.staleRecord(rec.Serial, "record counter %d does not match the box's %d", rec.Counter, st.Counter)
}

// staleRecord is the freshness tamper verdict, given only by a box that
// still serves: a cluster leader cut off from the majority may be behind
// the new leader's records, and answers ErrNotLeader instead.
func (b *Box) staleRecord(serial, format string, args ...any) error {
	if err := b.store.confirmLeader(); err != nil {
		return err
	}
	return tamper(ErrTamperFreshness, serial, format, args...)
}

func (b *Box) logRollback(serial string, p *pending) {
	b.log.Warn("box: database rolled back a step; its indicia are void",
		"serial", serial, "op", p.Op, "counter", p.Counter,
		"first_piece", p.FirstPiece, "last_piece", p.LastPiece, "amount_cents", p.Amount)
}

// VerifyRecord checks a stored record without changing anything: its MAC,
// and that it is the record the box last answered (committed or pending).
func (b *Box) VerifyRecord(rec Record) error {
	defer b.lock(rec.Serial)()
	if err := b.verifyMAC(&rec); err != nil {
		return err
	}
	_, err := b.checkFresh(&rec, false)
	return err
}

// Commit tells the box that the database committed the record with this
// counter; the pending step becomes the committed one. Committing a counter
// the box already holds as committed (again, or overtaken by the meter's next
// step) is a no-op.
func (b *Box) Commit(serial string, counter int64) error {
	defer b.lock(serial)()
	st, known, err := b.store.get(serial)
	if err != nil {
		return err
	}
	switch {
	case known && st.Pending != nil && st.Pending.Counter == counter:
		st = meterState{Counter: counter, Hash: st.Pending.Hash, Pending: st.Next}
	case known && st.Next != nil && st.Next.Counter == counter:
		st = meterState{Counter: counter, Hash: st.Next.Hash}
	case known && st.Counter >= counter:
		// Already committed: the meter's next step presented this record (or
		// a later one) before this call arrived, which commits it too.
		return nil
	default:
		return badRequest("meter %s: nothing pending at counter %d", serial, counter)
	}
	// The in-memory state changes at once (an older record replayed from
	// now on is tamper); the disk write is lazy (no sync of its own): if
	// the box dies before it is durable, the store still holds the pending
	// step, and the next request, presenting the committed record,
	// resolves it the same way.
	b.store.setCached(serial, st)
	b.store.putLazy(serial, st)
	return nil
}
