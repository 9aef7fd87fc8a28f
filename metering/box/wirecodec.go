package box

import (
	"encoding/binary"
	"time"
)

// The body of a frame, field by field with no reflection. A request starts
// with its id and operation, a response with its id; then come the fields
// that are set, each behind its tag, and a 0 tag ends the message. Integers
// are varints, strings and byte slices are length-prefixed, and nested
// structs (Record, Piece, TxRecord, ...) write every field in a fixed
// order. An unknown tag is refused, never skipped: a field this side does
// not know could change what the message means.

// Request field tags.
const (
	rqEnd byte = iota
	rqRecord
	rqSerial
	rqMfgNumber
	rqAccountID
	rqPieces
	rqAmount
	rqTransferID
	rqStatus
	rqReason
	rqZIP
	rqKind
	rqPayload
	rqPrev
	rqItems
	rqCommits
	rqHash
	rqRevocations
	rqValidity
	rqVersion
)

// Response field tags.
const (
	rsEnd byte = iota
	rsErr
	rsRecord
	rsCertPEM
	rsKeys
	rsPieces
	rsTx
	rsSignedTx
	rsPepper
	rsItems
	rsProtocol
	rsOps
	rsCRL
	rsMACKeys
	rsBoxVersion
	rsStartedAt
	rsLastDurable
	rsCluster
	rsPartial
)

func appendRequest(b []byte, r *request) []byte {
	b = binary.AppendUvarint(b, r.ID)
	b = append(b, r.Op)
	if !recordIsZero(&r.Record) {
		b = appendRecord(append(b, rqRecord), &r.Record)
	}
	b = tagStr(b, rqSerial, r.Serial)
	b = tagStr(b, rqMfgNumber, r.MfgNumber)
	b = tagInt(b, rqAccountID, r.AccountID)
	if len(r.Pieces) > 0 {
		b = appendPieces(append(b, rqPieces), r.Pieces)
	}
	b = tagInt(b, rqAmount, r.Amount)
	b = tagStr(b, rqTransferID, r.TransferID)
	b = tagStr(b, rqStatus, r.Status)
	b = tagStr(b, rqReason, r.Reason)
	b = tagStr(b, rqZIP, r.ZIP)
	b = tagStr(b, rqKind, r.Kind)
	b = tagBytes(b, rqPayload, r.Payload)
	if r.Prev != nil {
		b = appendSignedTx(append(b, rqPrev), r.Prev)
	}
	if len(r.Items) > 0 {
		b = binary.AppendUvarint(append(b, rqItems), uint64(len(r.Items)))
		for i := range r.Items {
			b = appendRecord(b, &r.Items[i].Record)
			b = appendPieces(b, r.Items[i].Pieces)
		}
	}
	if len(r.Commits) > 0 {
		b = binary.AppendUvarint(append(b, rqCommits), uint64(len(r.Commits)))
		for _, c := range r.Commits {
			b = putStr(b, c.Serial)
			b = binary.AppendVarint(b, c.Counter)
		}
	}
	if r.Hash != ([32]byte{}) {
		b = append(append(b, rqHash), r.Hash[:]...)
	}
	if len(r.Revocations) > 0 {
		b = binary.AppendUvarint(append(b, rqRevocations), uint64(len(r.Revocations)))
		for _, v := range r.Revocations {
			b = putBytes(b, v.CertSerial)
			b = putTime(b, v.From)
			b = binary.AppendVarint(b, int64(v.ReasonCode))
		}
	}
	b = tagInt(b, rqValidity, int64(r.Validity))
	b = tagStr(b, rqVersion, r.Version)
	return append(b, rqEnd)
}

// decodeRequest reads a request body. On error the request's id is still
// set when it could be read, so the error can be answered to it.
func decodeRequest(body []byte) (*request, error) {
	d := &decoder{b: body}
	r := &request{ID: d.uvarint(), Op: d.byte()}
	for d.err == nil {
		switch tag := d.byte(); tag {
		case rqEnd:
			d.end()
			return r, d.error("request")
		case rqRecord:
			d.record(&r.Record)
		case rqSerial:
			r.Serial = d.str()
		case rqMfgNumber:
			r.MfgNumber = d.str()
		case rqAccountID:
			r.AccountID = d.varint()
		case rqPieces:
			r.Pieces = d.pieces()
		case rqAmount:
			r.Amount = d.varint()
		case rqTransferID:
			r.TransferID = d.str()
		case rqStatus:
			r.Status = d.str()
		case rqReason:
			r.Reason = d.str()
		case rqZIP:
			r.ZIP = d.str()
		case rqKind:
			r.Kind = d.str()
		case rqPayload:
			r.Payload = d.bytes()
		case rqPrev:
			r.Prev = new(SignedTx)
			d.signedTx(r.Prev)
		case rqItems:
			if n := d.count(minRecordLen + 1); n > 0 {
				r.Items = make([]DispenseItem, n)
				for i := range r.Items {
					d.record(&r.Items[i].Record)
					r.Items[i].Pieces = d.pieces()
				}
			}
		case rqCommits:
			if n := d.count(2); n > 0 {
				r.Commits = make([]CommitItem, n)
				for i := range r.Commits {
					r.Commits[i] = CommitItem{Serial: d.str(), Counter: d.varint()}
				}
			}
		case rqHash:
			d.fixed(r.Hash[:])
		case rqRevocations:
			if n := d.count(3); n > 0 {
				r.Revocations = make([]Revocation, n)
				for i := range r.Revocations {
					v := &r.Revocations[i]
					v.CertSerial, v.From, v.ReasonCode = d.bytes(), d.time(), d.int()
				}
			}
		case rqValidity:
			r.Validity = time.Duration(d.varint())
		case rqVersion:
			r.Version = d.str()
		default:
			d.fail("unknown request field %d", tag)
		}
	}
	return r, d.error("request")
}

func appendResponse(b []byte, r *response) []byte {
	b = binary.AppendUvarint(b, r.ID)
	if r.Err != nil {
		b = appendWireError(append(b, rsErr), r.Err)
	}
	if !recordIsZero(&r.Record) {
		b = appendRecord(append(b, rsRecord), &r.Record)
	}
	b = tagBytes(b, rsCertPEM, r.CertPEM)
	if r.Keys.RootCertPEM != nil || r.Keys.TxKeyPEM != nil {
		b = putBytes(append(b, rsKeys), r.Keys.RootCertPEM)
		b = putBytes(b, r.Keys.TxKeyPEM)
	}
	if len(r.Pieces) > 0 {
		b = appendDispensed(append(b, rsPieces), r.Pieces)
	}
	if !txIsZero(&r.Tx) {
		b = appendTx(append(b, rsTx), &r.Tx)
	}
	if !signedTxIsZero(&r.SignedTx) {
		b = appendSignedTx(append(b, rsSignedTx), &r.SignedTx)
	}
	b = tagBytes(b, rsPepper, r.Pepper)
	if len(r.Items) > 0 {
		b = binary.AppendUvarint(append(b, rsItems), uint64(len(r.Items)))
		for i := range r.Items {
			it := &r.Items[i]
			b = appendRecord(b, &it.Record)
			b = appendDispensed(b, it.Pieces)
			if it.Err == nil {
				b = append(b, 0)
			} else {
				b = appendWireError(append(b, 1), it.Err)
			}
		}
	}
	b = tagInt(b, rsProtocol, int64(r.Protocol))
	if len(r.Ops) > 0 {
		b = putStrs(append(b, rsOps), r.Ops)
	}
	b = tagBytes(b, rsCRL, r.CRL)
	if r.MACKeys.Current != "" || len(r.MACKeys.Versions) > 0 {
		b = putStr(append(b, rsMACKeys), r.MACKeys.Current)
		b = putStrs(b, r.MACKeys.Versions)
	}
	b = tagStr(b, rsBoxVersion, r.BoxVersion)
	if !r.StartedAt.IsZero() {
		b = putTime(append(b, rsStartedAt), r.StartedAt)
	}
	if !r.LastDurable.IsZero() {
		b = putTime(append(b, rsLastDurable), r.LastDurable)
	}
	if !clusterIsZero(&r.Cluster) {
		b = appendCluster(append(b, rsCluster), &r.Cluster)
	}
	if r.Partial {
		b = binary.AppendUvarint(append(b, rsPartial), uint64(r.First))
	}
	return append(b, rsEnd)
}

// decodeResponse reads a response body.
func decodeResponse(body []byte) (*response, error) {
	d := &decoder{b: body}
	r := &response{ID: d.uvarint()}
	for d.err == nil {
		switch tag := d.byte(); tag {
		case rsEnd:
			d.end()
			return r, d.error("answer")
		case rsErr:
			r.Err = d.wireError()
		case rsRecord:
			d.record(&r.Record)
		case rsCertPEM:
			r.CertPEM = d.bytes()
		case rsKeys:
			r.Keys = PublicKeys{RootCertPEM: d.bytes(), TxKeyPEM: d.bytes()}
		case rsPieces:
			r.Pieces = d.dispensed()
		case rsTx:
			d.tx(&r.Tx)
		case rsSignedTx:
			d.signedTx(&r.SignedTx)
		case rsPepper:
			r.Pepper = d.bytes()
		case rsItems:
			if n := d.count(minRecordLen + 2); n > 0 {
				r.Items = make([]itemResponse, n)
				for i := range r.Items {
					it := &r.Items[i]
					d.record(&it.Record)
					it.Pieces = d.dispensed()
					if d.bool() {
						it.Err = d.wireError()
					}
				}
			}
		case rsProtocol:
			r.Protocol = d.int()
		case rsOps:
			r.Ops = d.strs()
		case rsCRL:
			r.CRL = d.bytes()
		case rsMACKeys:
			r.MACKeys = KeyVersions{Current: d.str(), Versions: d.strs()}
		case rsBoxVersion:
			r.BoxVersion = d.str()
		case rsStartedAt:
			r.StartedAt = d.time()
		case rsLastDurable:
			r.LastDurable = d.time()
		case rsCluster:
			d.cluster(&r.Cluster)
		case rsPartial:
			r.Partial, r.First = true, int(d.uint32())
		default:
			d.fail("unknown answer field %d", tag)
		}
	}
	return r, d.error("answer")
}
