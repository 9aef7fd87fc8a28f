package box

import (
	"crypto/ecdsa"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"indicia/metering/indicium"
)

// MaxBatch is the most pieces one Dispense call takes.
const MaxBatch = 10000

// Piece is one mail piece to dispense postage for.
type Piece struct {
	Postage       int64     // cents, > 0
	MailingDate   time.Time // date of mailing: from yesterday to 30 days ahead (UTC)
	OriginZIP     string    // used when the meter floats (origin 00000); else empty or the meter's
	DestZIP       string    // 5 or 9 digits; abroad, the foreign postal code
	Country       string    // destination country (ISO 3166-1 alpha-2); "" is the US
	MailClass     string
	Services      uint32
	RecipientHash [indicium.HashSize]byte // indicium.RecipientHash of the standardized address
	// CertSerial is the meter certificate's serial number as the indicium
	// carries it; empty means the serial the box gives its certificates
	// (indicium.CertSerial of the meter key). Certificates made before
	// that carry a random serial, which the caller passes here.
	CertSerial []byte
}

// SoftwareID names the signing software in every indicium: product and
// version of the box's indicium code. The version changes when what the box
// signs changes.
const SoftwareID = "INDICIA/1.0"

// DispensedPiece is one piece's signed indicium and its signed transaction
// record (which the database stores in chain order).
type DispensedPiece struct {
	Indicium []byte // indicium.Parse reads it; Text form via Parse(...).Text()
	Tx       TxRecord
}

// DispenseResult is the new meter record and the pieces, in request order.
type DispenseResult struct {
	Record Record
	Pieces []DispensedPiece
}

// step is the accounting outcome of one operation: what the pending step
// says, the chained (not yet signed) transaction records, and any extra
// signing the operation needs.
type step struct {
	pending pending
	txs     []*TxRecord
	sign    func(key *ecdsa.PrivateKey) error
	// signChunks, when set, replaces the signing of txs and sign: it signs
	// and answers in parts (chunked.go), calling durable before it hands
	// out the first signature.
	signChunks func(key *ecdsa.PrivateKey, durable func() error) error
}

// apply runs one meter operation in the patent's Fig. 5 order. account
// works on a copy of the record whose counter is already incremented.
// A chained step (chained.go) is one whose caller does not hold the
// meter's database lock: it only builds on the box's latest step.
func (b *Box) apply(rec Record, chained bool, account func(next *Record, key *ecdsa.PrivateKey, now time.Time) (*step, error)) (Record, []*TxRecord, error) {
	defer b.lock(rec.Serial)()
	// 205: verify the record's MAC.
	if err := b.verifyMAC(&rec); err != nil {
		return Record{}, nil, err
	}
	// 220: compare freshness with the box's own store.
	var st meterState
	var asNext bool
	var err error
	if chained {
		st, asNext, err = b.checkChained(&rec)
	} else {
		st, err = b.checkFresh(&rec, true)
	}
	if err != nil {
		return Record{}, nil, err
	}
	// 235: unwrap the meter key.
	key, err := b.unwrap(&rec)
	if err != nil {
		return Record{}, nil, err
	}
	// 240/245: accounting, and freshness in the record.
	next := rec.clone()
	next.Counter++
	next.MACVersion = b.currentMAC()
	s, err := account(&next, key, b.now())
	if err != nil {
		return Record{}, nil, err
	}
	// 250: freshness in the store. The write is durable before the box
	// answers; it runs while the box signs, which is still after it began.
	s.pending.Counter, s.pending.Hash = next.Counter, next.Hash()
	if asNext {
		st.Next = &s.pending
	} else {
		st.Pending = &s.pending
	}
	var written <-chan error // nil for a chained step: not waited for here
	if chained {
		// Durable before its confirmation, not before this answer: a step
		// the box forgets in a crash fails its confirmation (chained.go).
		b.unsynced.put(rec.Serial, b.store.putEarly(rec.Serial, st))
	} else {
		b.unsynced.take(rec.Serial) // this write's sync makes any earlier one durable
		written = b.store.put(rec.Serial, st)
	}
	// 255: sign the postage data and the transaction records.
	var signErr error
	if s.signChunks != nil {
		signErr = s.signChunks(key, func() error {
			errc := written
			written = nil // waited for here, not again below
			if errc == nil {
				return nil
			}
			return <-errc
		})
	} else {
		signErr = parallel(len(s.txs), func(i int) (err error) {
			s.txs[i].Signature, err = signRS(key, s.txs[i].Hash)
			return err
		})
		if signErr == nil && s.sign != nil {
			signErr = s.sign(key)
		}
	}
	// 260: MAC the new record.
	next.MAC, err = b.mac(&next)
	if written != nil {
		if err := <-written; err != nil {
			return Record{}, nil, err
		}
	}
	if signErr != nil || err != nil {
		// The pending step is stored but never answered: the database keeps
		// record n, and the next request resolves it as a rollback.
		return Record{}, nil, fmt.Errorf("box: meter %s: %v %v", rec.Serial, signErr, err)
	}
	return next, s.txs, nil
}

// chain appends a transaction record to the meter's hash chain.
func chain(next *Record, tx *TxRecord) *TxRecord {
	tx.Serial, tx.Counter = next.Serial, next.Counter
	tx.PrevHash = next.ChainHead
	tx.Hash = tx.computeHash()
	next.ChainHead = tx.Hash
	return tx
}

// Dispense debits the meter for a batch of pieces in one step and returns
// an indicium and a transaction record per piece. Nothing changes unless
// the meter is active and its descending register covers the whole batch.
func (b *Box) Dispense(rec Record, pieces []Piece) (DispenseResult, error) {
	return b.dispense(rec, pieces, false)
}

func (b *Box) dispense(rec Record, pieces []Piece, chained bool) (DispenseResult, error) {
	return b.dispenseTo(rec, pieces, chained, nil)
}

// dispenseTo is dispense; with emit set, the signed pieces are handed to
// emit in chunks as they are signed (chunked.go) instead of returned.
func (b *Box) dispenseTo(rec Record, pieces []Piece, chained bool, emit func(at int, ps []DispensedPiece) error) (DispenseResult, error) {
	if len(pieces) == 0 || len(pieces) > MaxBatch {
		return DispenseResult{}, badRequest("batch of %d pieces: want 1 to %d", len(pieces), MaxBatch)
	}
	fields := make([]indicium.Fields, len(pieces))
	inds := make([][]byte, len(pieces))
	next, txs, err := b.apply(rec, chained, func(next *Record, key *ecdsa.PrivateKey, now time.Time) (*step, error) {
		if next.Status != StatusActive {
			return nil, fmt.Errorf("box: meter %s is %s: %w", next.Serial, next.Status, ErrMeterNotActive)
		}
		derived, err := indicium.CertSerial(&key.PublicKey)
		if err != nil {
			return nil, err
		}
		today := now.Truncate(24 * time.Hour)
		var total int64
		for i, p := range pieces {
			origin := next.OriginZIP
			if origin == FloatingOrigin {
				origin = p.OriginZIP
				if origin == FloatingOrigin || !isZIP5(origin) {
					return nil, badRequest("piece %d: meter %s floats: origin ZIP %q must be a real 5-digit ZIP", i+1, next.Serial, p.OriginZIP)
				}
			} else if p.OriginZIP != "" && p.OriginZIP != origin {
				return nil, badRequest("piece %d: origin ZIP %s differs from the meter's %s", i+1, p.OriginZIP, origin)
			}
			if p.Postage <= 0 || p.Postage > 1<<32-1 {
				return nil, badRequest("piece %d: postage %d cents out of range", i+1, p.Postage)
			}
			if d := p.MailingDate.UTC(); d.Before(today.AddDate(0, 0, -1)) || d.After(today.AddDate(0, 0, 30)) {
				return nil, badRequest("piece %d: mailing date %s: want yesterday to 30 days ahead", i+1, d.Format(time.DateOnly))
			}
			total += p.Postage
			certSerial := derived
			if len(p.CertSerial) > 0 {
				certSerial = p.CertSerial
			}
			fields[i] = indicium.Fields{MeterSerial: next.Serial, CertSerial: certSerial, MailingDate: p.MailingDate,
				Postage: p.Postage, OriginZIP: origin, DestZIP: p.DestZIP, Country: p.Country, MailClass: p.MailClass,
				Services: p.Services, RecipientHash: p.RecipientHash, Software: SoftwareID}
			if err := fields[i].Validate(); err != nil {
				return nil, badRequest("piece %d: %v", i+1, err)
			}
		}
		if total > next.DR {
			return nil, fmt.Errorf("box: meter %s: batch needs %d cents, descending register has %d: %w", next.Serial, total, next.DR, ErrInsufficientFunds)
		}
		s := &step{pending: pending{Op: TxPostage, FirstPiece: next.PieceCount + 1, LastPiece: next.PieceCount + int64(len(pieces)), Amount: total}}
		for i, p := range pieces {
			next.DR -= p.Postage
			next.AR += p.Postage
			next.PieceCount++
			fields[i].AR, fields[i].DR, fields[i].PieceCount = next.AR, next.DR, next.PieceCount
			s.txs = append(s.txs, chain(next, &TxRecord{Kind: TxPostage, Time: now,
				IndiciumDate: fields[i].MailingDate.UTC().Format("20060102"), OriginZIP: fields[i].OriginZIP,
				DeliveryZIP: p.DestZIP, Amount: p.Postage, PieceNumber: next.PieceCount}))
		}
		s.sign = func(key *ecdsa.PrivateKey) error {
			return parallel(len(fields), func(i int) error {
				in, err := indicium.Sign(fields[i], key)
				inds[i] = in.Bytes()
				return err
			})
		}
		if emit != nil {
			s.signChunks = func(key *ecdsa.PrivateKey, durable func() error) error {
				return signInChunks(key, fields, s.txs, durable, emit)
			}
		}
		return s, nil
	})
	if err != nil {
		return DispenseResult{}, err
	}
	if emit != nil {
		return DispenseResult{Record: next}, nil
	}
	res := DispenseResult{Record: next, Pieces: make([]DispensedPiece, len(pieces))}
	for i := range pieces {
		res.Pieces[i] = DispensedPiece{Indicium: inds[i], Tx: *txs[i]}
	}
	return res, nil
}

// Credit adds funds to the descending register: a signed funds transfer
// into the meter. transferID is the caller's id for the transfer.
func (b *Box) Credit(rec Record, amountCents int64, transferID string) (Record, TxRecord, error) {
	if amountCents <= 0 || amountCents > 1e12 {
		return Record{}, TxRecord{}, badRequest("credit of %d cents out of range", amountCents)
	}
	if transferID == "" || len(transferID) > 128 {
		return Record{}, TxRecord{}, badRequest("transfer id: want 1-128 characters")
	}
	return b.single(rec, func(next *Record, now time.Time) (*TxRecord, pending, error) {
		if next.Status == StatusRetired {
			return nil, pending{}, fmt.Errorf("box: meter %s is retired: %w", next.Serial, ErrMeterNotActive)
		}
		next.DR += amountCents
		return &TxRecord{Kind: TxCredit, Time: now, Amount: amountCents, TransferID: transferID},
			pending{Op: TxCredit, Amount: amountCents}, nil
	})
}

var transitions = map[string][]string{
	StatusManufactured: {StatusRegistered, StatusRetired},
	StatusRegistered:   {StatusActive, StatusSuspended, StatusRetired},
	StatusActive:       {StatusSuspended, StatusRetired},
	StatusSuspended:    {StatusActive, StatusSuspended, StatusRetired},
}

var reasons = []string{ReasonInsufficientFunds, ReasonInspection, ReasonCreditAbuse, ReasonMeterAbuse, ReasonTamper}

// SetStatus moves the meter through its lifecycle. A suspension needs a
// reason; other statuses take none. Retired is final.
func (b *Box) SetStatus(rec Record, status, reason string) (Record, TxRecord, error) {
	if (status == StatusSuspended) != slices.Contains(reasons, reason) {
		return Record{}, TxRecord{}, badRequest("status %q with reason %q", status, reason)
	}
	return b.single(rec, func(next *Record, now time.Time) (*TxRecord, pending, error) {
		if !slices.Contains(transitions[next.Status], status) {
			return nil, pending{}, badRequest("meter %s: no transition from %s to %s", next.Serial, next.Status, status)
		}
		next.Status, next.SuspendReason = status, reason
		return &TxRecord{Kind: TxStatus, Time: now, Detail: "status " + status + " " + reason},
			pending{Op: "status " + status}, nil
	})
}

// SetOrigin sets the meter's origin ZIP (FloatingOrigin lets the mailer
// pick it per purchase).
func (b *Box) SetOrigin(rec Record, zip string) (Record, TxRecord, error) {
	if !isZIP5(zip) {
		return Record{}, TxRecord{}, badRequest("origin ZIP %q: want 5 digits", zip)
	}
	return b.single(rec, func(next *Record, now time.Time) (*TxRecord, pending, error) {
		if next.Status == StatusRetired {
			return nil, pending{}, badRequest("meter %s is retired", next.Serial)
		}
		next.OriginZIP = zip
		return &TxRecord{Kind: TxStatus, Time: now, OriginZIP: zip, Detail: "origin " + zip},
			pending{Op: "origin"}, nil
	})
}

// single runs an operation that makes one transaction record.
func (b *Box) single(rec Record, account func(next *Record, now time.Time) (*TxRecord, pending, error)) (Record, TxRecord, error) {
	next, txs, err := b.apply(rec, false, func(next *Record, _ *ecdsa.PrivateKey, now time.Time) (*step, error) {
		tx, p, err := account(next, now)
		if err != nil {
			return nil, err
		}
		return &step{pending: p, txs: []*TxRecord{chain(next, tx)}}, nil
	})
	if err != nil {
		return Record{}, TxRecord{}, err
	}
	return next, *txs[0], nil
}

// parallel runs f(0..n-1), spread over the CPUs from 8 items on (a coalesced
// group of a few pieces already has 2 signatures per piece to share out).
func parallel(n int, f func(i int) error) error {
	workers := min(runtime.GOMAXPROCS(0), n/4)
	if workers <= 1 {
		for i := range n {
			if err := f(i); err != nil {
				return err
			}
		}
		return nil
	}
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				if errs[w] = f(i); errs[w] != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func isZIP5(s string) bool {
	if len(s) != 5 {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
