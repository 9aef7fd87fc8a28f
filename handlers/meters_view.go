package handlers

import (
	"encoding/hex"
	"strconv"

	"indicia/metering"
	"indicia/views"
)

func meterRow(m metering.Meter) views.MeterRow {
	r := m.Record
	return views.MeterRow{ID: strconv.FormatInt(m.ID, 10), Serial: r.Serial, MfgNumber: r.MfgNumber, Account: strconv.FormatInt(r.AccountID, 10),
		OriginZIP: r.OriginZIP, Status: r.Status, Reason: r.SuspendReason, AR: views.Money(r.AR), DR: views.Money(r.DR),
		Pieces: strconv.FormatInt(r.PieceCount, 10), Counter: strconv.FormatInt(r.Counter, 10), Updated: m.UpdatedAt.UTC().Format("2006-01-02 15:04"),
		Held: m.TamperHold}
}

func meterRows(ms []metering.Meter) []views.MeterRow {
	out := make([]views.MeterRow, 0, len(ms))
	for _, m := range ms {
		out = append(out, meterRow(m))
	}
	return out
}

func txRow(t metering.TxView) views.TxRow {
	amount := ""
	if t.Amount != 0 {
		amount = views.Money(t.Amount)
	}
	piece := ""
	if t.PieceNumber != 0 {
		piece = strconv.FormatInt(t.PieceNumber, 10)
	}
	h := hex.EncodeToString(t.Hash)
	if len(h) > 12 {
		h = h[:12]
	}
	return views.TxRow{At: t.Time.UTC().Format("2006-01-02 15:04:05"), Kind: t.Kind, Amount: amount, Piece: piece, Detail: t.Detail, Hash: h}
}
