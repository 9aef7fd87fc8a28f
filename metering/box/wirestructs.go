package box

import (
	"encoding/binary"

	"indicia/metering/indicium"
)

// The nested structs, every field in order.

// minRecordLen is the fewest bytes a Record takes (every field empty).
const minRecordLen = 15

func appendRecord(b []byte, r *Record) []byte {
	b = putStr(b, r.Serial)
	b = putStr(b, r.MfgNumber)
	b = binary.AppendVarint(b, r.AccountID)
	b = putStr(b, r.OriginZIP)
	b = putStr(b, r.Status)
	b = putStr(b, r.SuspendReason)
	b = binary.AppendVarint(b, r.AR)
	b = binary.AppendVarint(b, r.DR)
	b = binary.AppendVarint(b, r.PieceCount)
	b = binary.AppendVarint(b, r.Counter)
	b = putBytes(b, r.WrappedKey)
	b = binary.AppendVarint(b, int64(r.KeyVersion))
	b = putStr(b, r.MACVersion)
	b = putBytes(b, r.ChainHead)
	return putBytes(b, r.MAC)
}

func (d *decoder) record(r *Record) {
	r.Serial, r.MfgNumber, r.AccountID = d.str(), d.str(), d.varint()
	r.OriginZIP, r.Status, r.SuspendReason = d.str(), d.str(), d.str()
	r.AR, r.DR, r.PieceCount, r.Counter = d.varint(), d.varint(), d.varint(), d.varint()
	r.WrappedKey, r.KeyVersion, r.MACVersion = d.bytes(), d.int(), d.str()
	r.ChainHead, r.MAC = d.bytes(), d.bytes()
}

func recordIsZero(r *Record) bool {
	return r.Serial == "" && r.MfgNumber == "" && r.AccountID == 0 && r.OriginZIP == "" && r.Status == "" &&
		r.SuspendReason == "" && r.AR == 0 && r.DR == 0 && r.PieceCount == 0 && r.Counter == 0 &&
		len(r.WrappedKey) == 0 && r.KeyVersion == 0 && r.MACVersion == "" && len(r.ChainHead) == 0 && len(r.MAC) == 0
}

// minPieceLen is the fewest bytes a Piece takes.
const minPieceLen = 8 + indicium.HashSize

func appendPieces(b []byte, ps []Piece) []byte {
	b = binary.AppendUvarint(b, uint64(len(ps)))
	for i := range ps {
		p := &ps[i]
		b = binary.AppendVarint(b, p.Postage)
		b = putTime(b, p.MailingDate)
		b = putStr(b, p.OriginZIP)
		b = putStr(b, p.DestZIP)
		b = putStr(b, p.Country)
		b = putStr(b, p.MailClass)
		b = binary.AppendUvarint(b, uint64(p.Services))
		b = append(b, p.RecipientHash[:]...)
		b = putBytes(b, p.CertSerial)
	}
	return b
}

func (d *decoder) pieces() []Piece {
	n := d.count(minPieceLen)
	if n == 0 {
		return nil
	}
	ps := make([]Piece, n)
	for i := range ps {
		p := &ps[i]
		p.Postage, p.MailingDate = d.varint(), d.time()
		p.OriginZIP, p.DestZIP, p.Country, p.MailClass = d.str(), d.str(), d.str(), d.str()
		p.Services = d.uint32()
		d.fixed(p.RecipientHash[:])
		p.CertSerial = d.bytes()
	}
	return ps
}

// minTxLen is the fewest bytes a TxRecord takes.
const minTxLen = 14

func appendDispensed(b []byte, ps []DispensedPiece) []byte {
	b = binary.AppendUvarint(b, uint64(len(ps)))
	for i := range ps {
		b = putBytes(b, ps[i].Indicium)
		b = appendTx(b, &ps[i].Tx)
	}
	return b
}

func (d *decoder) dispensed() []DispensedPiece {
	n := d.count(1 + minTxLen)
	if n == 0 {
		return nil
	}
	ps := make([]DispensedPiece, n)
	for i := range ps {
		ps[i].Indicium = d.bytes()
		d.tx(&ps[i].Tx)
	}
	return ps
}

func appendTx(b []byte, t *TxRecord) []byte {
	b = putStr(b, t.Kind)
	b = putStr(b, t.Serial)
	b = putTime(b, t.Time)
	b = binary.AppendVarint(b, t.Counter)
	b = putStr(b, t.IndiciumDate)
	b = putStr(b, t.OriginZIP)
	b = putStr(b, t.DeliveryZIP)
	b = binary.AppendVarint(b, t.Amount)
	b = binary.AppendVarint(b, t.PieceNumber)
	b = putStr(b, t.TransferID)
	b = putStr(b, t.Detail)
	b = putBytes(b, t.PrevHash)
	b = putBytes(b, t.Hash)
	return putBytes(b, t.Signature)
}

func (d *decoder) tx(t *TxRecord) {
	t.Kind, t.Serial, t.Time, t.Counter = d.str(), d.str(), d.time(), d.varint()
	t.IndiciumDate, t.OriginZIP, t.DeliveryZIP = d.str(), d.str(), d.str()
	t.Amount, t.PieceNumber, t.TransferID, t.Detail = d.varint(), d.varint(), d.str(), d.str()
	t.PrevHash, t.Hash, t.Signature = d.bytes(), d.bytes(), d.bytes()
}

func txIsZero(t *TxRecord) bool {
	return t.Kind == "" && t.Serial == "" && t.Time.IsZero() && t.Counter == 0 && t.IndiciumDate == "" &&
		t.OriginZIP == "" && t.DeliveryZIP == "" && t.Amount == 0 && t.PieceNumber == 0 && t.TransferID == "" &&
		t.Detail == "" && len(t.PrevHash) == 0 && len(t.Hash) == 0 && len(t.Signature) == 0
}

func appendSignedTx(b []byte, t *SignedTx) []byte {
	b = putStr(b, t.Kind)
	b = binary.AppendVarint(b, t.Seq)
	b = putTime(b, t.Time)
	b = putBytes(b, t.Payload)
	b = putBytes(b, t.PrevHash)
	b = putBytes(b, t.Hash)
	return putBytes(b, t.Signature)
}

func (d *decoder) signedTx(t *SignedTx) {
	t.Kind, t.Seq, t.Time = d.str(), d.varint(), d.time()
	t.Payload, t.PrevHash, t.Hash, t.Signature = d.bytes(), d.bytes(), d.bytes(), d.bytes()
}

func signedTxIsZero(t *SignedTx) bool {
	return t.Kind == "" && t.Seq == 0 && t.Time.IsZero() && len(t.Payload) == 0 && len(t.PrevHash) == 0 &&
		len(t.Hash) == 0 && len(t.Signature) == 0
}

func appendWireError(b []byte, w *wireError) []byte {
	b = putStr(b, w.Code)
	b = putStr(b, w.Msg)
	b = putStr(b, w.Serial)
	return putStr(b, w.Reason)
}

func (d *decoder) wireError() *wireError {
	return &wireError{Code: d.str(), Msg: d.str(), Serial: d.str(), Reason: d.str()}
}

func appendCluster(b []byte, c *ClusterStatus) []byte {
	b = putBool(b, c.Clustered)
	b = putStr(b, c.NodeID)
	b = putStr(b, c.State)
	b = putStr(b, c.LeaderID)
	b = putStr(b, c.LeaderAddr)
	b = binary.AppendUvarint(b, uint64(len(c.Members)))
	for _, m := range c.Members {
		b = putStr(putStr(b, m.ID), m.Addr)
	}
	b = binary.AppendUvarint(b, c.LastIndex)
	b = binary.AppendUvarint(b, c.CommitIndex)
	b = binary.AppendUvarint(b, c.AppliedIndex)
	b = putBool(b, c.Serving)
	return putStrs(b, c.MissingMACVersions)
}

func (d *decoder) cluster(c *ClusterStatus) {
	c.Clustered, c.NodeID, c.State, c.LeaderID, c.LeaderAddr = d.bool(), d.str(), d.str(), d.str(), d.str()
	if n := d.count(2); n > 0 {
		c.Members = make([]ClusterPeer, n)
		for i := range c.Members {
			c.Members[i] = ClusterPeer{ID: d.str(), Addr: d.str()}
		}
	}
	c.LastIndex, c.CommitIndex, c.AppliedIndex = d.uvarint(), d.uvarint(), d.uvarint()
	c.Serving, c.MissingMACVersions = d.bool(), d.strs()
}

func clusterIsZero(c *ClusterStatus) bool {
	return !c.Clustered && c.NodeID == "" && c.State == "" && c.LeaderID == "" && c.LeaderAddr == "" &&
		len(c.Members) == 0 && c.LastIndex == 0 && c.CommitIndex == 0 && c.AppliedIndex == 0 && !c.Serving &&
		len(c.MissingMACVersions) == 0
}
