package handlers

import (
	"context"
	"encoding/hex"
	"strconv"
	"strings"

	"indicia/accounts"
	"indicia/metering"
	"indicia/views"
)

// accountLabels names master accounts the way people know them, the
// customer ID then the company ("100001 Olive Mail"), by internal id: that id
// is the database's and must not be what an admin reads or types.
func (h *Handler) accountLabels(ctx context.Context, actor accounts.User, ids []int64) (map[int64]string, error) {
	as, err := h.d.Accounts.AccountsByID(ctx, actor, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(as))
	for id, a := range as {
		out[id] = strconv.FormatInt(a.CustomerID, 10) + " " + a.Company
	}
	return out, nil
}

// adminMeterRows are meterRows with each meter's account named.
func (h *Handler) adminMeterRows(ctx context.Context, actor accounts.User, ms []metering.Meter) ([]views.MeterRow, error) {
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.Record.AccountID
	}
	labels, err := h.accountLabels(ctx, actor, ids)
	if err != nil {
		return nil, err
	}
	rows := meterRows(ms)
	for i, m := range ms {
		rows[i].Account = labels[m.Record.AccountID]
	}
	return rows, nil
}

func meterRow(m metering.Meter) views.MeterRow {
	r := m.Record
	return views.MeterRow{ID: strconv.FormatInt(m.ID, 10), Serial: r.Serial, MfgNumber: r.MfgNumber,
		OriginZIP: r.OriginZIP, Status: r.Status, Reason: suspendReasonText(r.SuspendReason), AR: views.Money(r.AR), DR: views.Money(r.DR),
		Pieces: views.Count(r.PieceCount), Counter: views.Count(r.Counter), Updated: m.UpdatedAt.UTC().Format("2006-01-02 15:04"),
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

// suspendReasonText names a suspension reason in words, as the suspend form
// offers it; a code the form does not know is shown as it is.
func suspendReasonText(code string) string {
	for _, o := range suspendReasons {
		if o.Value == code {
			return strings.ToLower(o.Label)
		}
	}
	return code
}
