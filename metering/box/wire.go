package box

import (
	"errors"
	"fmt"
	"time"
)

// The wire protocol: each connection carries length-prefixed binary frames
// in both directions (wireframe.go), each one message encoded field by field
// (wirecodec.go). Requests carry an id; responses come back in any order
// with the same id, so one connection serves many concurrent requests.

const (
	opPing uint8 = iota + 1
	opCertificates
	opCreateMeter
	opDispense
	opCredit
	opSetStatus
	opSetOrigin
	opCommit
	opVerifyRecord
	opSignTransaction
	opPepper
	opDispenseMany // added later: new kinds go last, so old numbers keep their meaning
	opCommitMany
	opDispenseChained
	opConfirm
	opHello
	opSignRevocationList
	opRotateMAC
	opDebit
	opClusterStatus
	opDispenseChunked
)

type request struct {
	ID         uint64
	Op         uint8
	Record     Record
	Serial     string
	MfgNumber  string
	AccountID  int64
	Pieces     []Piece
	Amount     int64 // credit and debit cents; commit counter
	TransferID string
	Status     string
	Reason     string
	ZIP        string
	Kind       string
	Payload    []byte // transaction payload; password
	Prev       *SignedTx
	Items      []DispenseItem // opDispenseMany
	Commits    []CommitItem   // opCommitMany
	Hash       [32]byte       // opConfirm: the confirmed step's record hash
	// opSignRevocationList: the entries and how long the list is valid.
	Revocations []Revocation
	Validity    time.Duration
	// opRotateMAC: the record-MAC key version to add ("" only reports).
	Version string
}

type response struct {
	ID       uint64
	Err      *wireError
	Record   Record
	CertPEM  []byte
	Keys     PublicKeys
	Pieces   []DispensedPiece
	Tx       TxRecord
	SignedTx SignedTx
	Pepper   []byte
	Items    []itemResponse // opDispenseMany and opCommitMany, one per item in order
	Protocol int            // opHello
	Ops      []string       // opHello: the operations served, by name
	CRL      []byte         // opSignRevocationList: the signed list, DER
	MACKeys  KeyVersions    // opRotateMAC
	// opHello, from protocol 2 on: the box process's health. A box that
	// leaves them out reports none.
	BoxVersion  string
	StartedAt   time.Time
	LastDurable time.Time
	Cluster     ClusterStatus // opClusterStatus
	// opDispenseChunked: a partial answer carries the entries from
	// position First on (the indicia, then the signed records; see
	// Box.DispenseChunked); the final answer carries the record.
	Partial bool
	First   int
}

// itemResponse is one item's answer in a many-meter response; commits carry
// only Err.
type itemResponse struct {
	Record Record
	Pieces []DispensedPiece
	Err    *wireError
}

type wireError struct {
	Code   string
	Msg    string
	Serial string
	Reason string
}

var errorCodes = map[string]error{
	"tamper_mac":         ErrTamperMAC,
	"tamper_freshness":   ErrTamperFreshness,
	"insufficient_funds": ErrInsufficientFunds,
	"meter_not_active":   ErrMeterNotActive,
	"bad_request":        ErrBadRequest,
	"stale":              ErrStale,
	"unknown_op":         ErrUnknownOp,
	"refused":            ErrRefused,
	"not_leader":         ErrNotLeader,
	"unavailable":        ErrUnavailable,
}

func toWire(err error) *wireError {
	if err == nil {
		return nil
	}
	w := &wireError{Code: "internal", Msg: err.Error()}
	var te *TamperError
	if errors.As(err, &te) {
		w.Serial, w.Reason = te.Serial, te.Reason
	}
	for code, sentinel := range errorCodes {
		if errors.Is(err, sentinel) {
			w.Code = code
		}
	}
	return w
}

// remoteError is an error that came over the socket: its text is the
// box's, and errors.Is matches the box's sentinel.
type remoteError struct {
	msg  string
	kind error
}

func (e *remoteError) Error() string { return e.msg }
func (e *remoteError) Unwrap() error { return e.kind }

func (w *wireError) err() error {
	kind, ok := errorCodes[w.Code]
	switch {
	case !ok:
		return fmt.Errorf("box: remote: %s", w.Msg)
	case kind == ErrTamperMAC || kind == ErrTamperFreshness:
		return &TamperError{Serial: w.Serial, Reason: w.Reason, Kind: kind}
	}
	return &remoteError{msg: w.Msg, kind: kind}
}

// handle runs one request against the box.
func (b *Box) handle(req *request) response {
	resp := response{ID: req.ID}
	if req.Op != opHello && req.Op != opClusterStatus {
		// A follower of a cluster serves nothing: its states lag the
		// leader's, and a step it accepted could not be made durable.
		if err := b.store.serving(); err != nil {
			resp.Err = toWire(err)
			return resp
		}
	}
	var err error
	switch req.Op {
	case opPing:
	case opHello:
		caps := served()
		resp.Protocol, resp.Ops = caps.Protocol, caps.Ops
		st := b.Status()
		resp.BoxVersion, resp.StartedAt, resp.LastDurable = st.Version, st.StartedAt, st.LastDurableWrite
	case opCertificates:
		resp.Keys = b.Certificates()
	case opCreateMeter:
		resp.Record, resp.CertPEM, err = b.CreateMeter(req.Serial, req.MfgNumber, req.AccountID)
	case opDispense:
		var res DispenseResult
		res, err = b.Dispense(req.Record, req.Pieces)
		resp.Record, resp.Pieces = res.Record, res.Pieces
	case opCredit:
		resp.Record, resp.Tx, err = b.Credit(req.Record, req.Amount, req.TransferID)
	case opSetStatus:
		resp.Record, resp.Tx, err = b.SetStatus(req.Record, req.Status, req.Reason)
	case opSetOrigin:
		resp.Record, resp.Tx, err = b.SetOrigin(req.Record, req.ZIP)
	case opDispenseChained:
		var res DispenseResult
		res, err = b.DispenseChained(req.Record, req.Pieces)
		resp.Record, resp.Pieces = res.Record, res.Pieces
	case opConfirm:
		err = b.Confirm(req.Serial, req.Amount, req.Hash)
	case opCommit:
		err = b.Commit(req.Serial, req.Amount)
	case opVerifyRecord:
		err = b.VerifyRecord(req.Record)
	case opSignTransaction:
		resp.SignedTx, err = b.SignTransaction(req.Kind, req.Payload, req.Prev)
	case opPepper:
		resp.Pepper, err = b.Pepper(req.Payload)
	case opDispenseMany:
		var res []DispenseItemResult
		if res, err = b.DispenseMany(req.Items); err == nil {
			resp.Items = make([]itemResponse, len(res))
			for i, r := range res {
				b.logTamper(r.Err)
				resp.Items[i] = itemResponse{Record: r.Result.Record, Pieces: r.Result.Pieces, Err: toWire(r.Err)}
			}
		}
	case opSignRevocationList:
		resp.CRL, err = b.SignRevocationList(req.Revocations, req.Validity)
	case opRotateMAC:
		resp.MACKeys, err = b.RotateMAC(req.Version)
	case opDebit:
		resp.Record, resp.Tx, err = b.Debit(req.Record, req.Amount, req.TransferID)
	case opClusterStatus:
		resp.Cluster = b.ClusterStatus()
	case opDispenseChunked:
		// Served in chunks by the server (handleChunked); here, as one answer.
		resp.Record, err = b.DispenseChunked(req.Record, req.Pieces, func(at int, ps []DispensedPiece) error {
			if at < len(req.Pieces) {
				resp.Pieces = append(resp.Pieces, ps...)
				return nil
			}
			for k := range ps { // the signed records, after the indicia
				resp.Pieces[at-len(req.Pieces)+k].Tx = ps[k].Tx
			}
			return nil
		})
	case opCommitMany:
		var errs []error
		if errs, err = b.CommitMany(req.Commits); err == nil {
			resp.Items = make([]itemResponse, len(errs))
			for i, e := range errs {
				resp.Items[i].Err = toWire(e)
			}
		}
	default:
		err = fmt.Errorf("%w %d", ErrUnknownOp, req.Op)
	}
	b.logTamper(err)
	resp.Err = toWire(err)
	return resp
}

// logTamper logs a tamper refusal where the box decides it.
func (b *Box) logTamper(err error) {
	var te *TamperError
	if errors.As(err, &te) {
		b.log.Error("box: tamper", "serial", te.Serial, "kind", te.Kind.Error(), "reason", te.Reason)
	}
}
