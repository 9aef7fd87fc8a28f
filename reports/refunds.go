package reports

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"indicia/accounts"
	"indicia/metering"
)

// Kinds of refund row.
const (
	RefundVoid      = "void"        // the mailer voided a label
	RefundAutomatic = "automatic"   // an unused label submitted for refund
	RefundCard      = "card_refund" // a card charge refunded without a label (one that could not finish)
)

// RefundRow is one voided label or one card refund, and what became of the money.
type RefundRow struct {
	id          int64
	At          time.Time
	Kind        string
	LabelID     string
	MeterSerial string
	Reason      string
	Postage     int64  // the voided label's postage
	ReturnedTo  string // meter, card, or card (pending) while the card refund is not made yet
	CardRefund  int64
	CardState   string // pending, succeeded, failed; empty when nothing went to a card
}

// RefundsHeader names the refunds report's columns in its downloads.
var RefundsHeader = []string{"date_time_utc", "kind", "label_id", "meter_serial", "reason", "postage", "returned_to", "card_refund", "card_refund_state"}

// Cells is the row as download cells.
func (r RefundRow) Cells() []string {
	return []string{r.At.UTC().Format("2006-01-02 15:04:05"), r.Kind, r.LabelID, r.MeterSerial, r.Reason, Dollars(r.Postage), r.ReturnedTo,
		Dollars(r.CardRefund), r.CardState}
}

// Cursor is where a page that ends with this row goes on.
func (r RefundRow) Cursor() Cursor { return Cursor{At: r.At, ID: r.id} }

// refundRows reads the period's voids and card refunds in time order. A
// void's id is its label's, a card refund's is its own negated, so the two
// never share a cursor.
func (s *Service) refundRows(ctx context.Context, f Filter) ([]RefundRow, error) {
	// A void belongs to the period it happened in, not the one its label was bought in.
	w := &where{}
	if f.AccountID != 0 {
		w.add("i.account_id = ?", f.AccountID)
	}
	w.raw("i.status = 'voided'")
	w.add("i.voided_at >= ?", f.From)
	w.add("i.voided_at < ?", f.To)
	if f.MeterSerial != "" {
		w.add("m.serial = ?", f.MeterSerial)
	}
	if f.UserID != 0 {
		w.add("i.user_id = ?", f.UserID)
	}
	if f.CostCodeID != 0 {
		w.add("i.cost_code_id = ?", f.CostCodeID)
	}
	if f.Class != "" {
		w.add("i.mail_class = ?", f.Class)
	}
	if f.OriginZIP != "" {
		w.add("i.origin_zip = ?", f.OriginZIP)
	}
	rows, err := s.read.Query(ctx, `SELECT i.id, i.voided_at, i.public_id, m.serial, i.void_reason, i.postage,
		ft.id IS NOT NULL, coalesce(r.amount, 0), coalesce(r.status, '')
		FROM indicia i JOIN meters m ON m.id = i.meter_id
		LEFT JOIN funds_transfers ft ON ft.transfer_id = 'void_' || i.public_id
		LEFT JOIN refunds r ON r.label_public_id = i.public_id
		WHERE `+w.String()+` ORDER BY i.voided_at, i.id`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("reports: refunds: %w", err)
	}
	var out []RefundRow
	for rows.Next() {
		var r RefundRow
		var toMeter bool
		if err := rows.Scan(&r.id, &r.At, &r.LabelID, &r.MeterSerial, &r.Reason, &r.Postage, &toMeter, &r.CardRefund, &r.CardState); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reports: refunds: %w", err)
		}
		r.Kind = RefundVoid
		if r.Reason == metering.VoidSubmittedForRefund {
			r.Kind = RefundAutomatic
		}
		switch {
		case toMeter:
			r.ReturnedTo = "meter"
		case r.CardState != "":
			r.ReturnedTo = "card"
		default:
			r.ReturnedTo = "card (pending)"
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reports: refunds: %w", err)
	}
	// Card refunds without a label: the pieces' filters do not apply to them.
	if f.UserID == 0 && f.CostCodeID == 0 && f.Class == "" && f.OriginZIP == "" {
		cw := &where{}
		cw.raw("r.label_public_id IS NULL")
		if f.AccountID != 0 {
			cw.add("c.account_id = ?", f.AccountID)
		}
		cw.add("r.created_at >= ?", f.From)
		cw.add("r.created_at < ?", f.To)
		if f.MeterSerial != "" {
			cw.add("m.serial = ?", f.MeterSerial)
		}
		rows, err := s.read.Query(ctx, `SELECT r.id, r.created_at, m.serial, r.reason, r.amount, r.status
			FROM refunds r JOIN charges c ON c.id = r.charge_id JOIN meters m ON m.id = c.meter_id
			WHERE `+cw.String(), cw.args...)
		if err != nil {
			return nil, fmt.Errorf("reports: card refunds: %w", err)
		}
		for rows.Next() {
			r := RefundRow{Kind: RefundCard, ReturnedTo: "card"}
			if err := rows.Scan(&r.id, &r.At, &r.MeterSerial, &r.Reason, &r.CardRefund, &r.CardState); err != nil {
				rows.Close()
				return nil, fmt.Errorf("reports: card refunds: %w", err)
			}
			r.id = -r.id
			out = append(out, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("reports: card refunds: %w", err)
		}
	}
	slices.SortStableFunc(out, func(a, b RefundRow) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	return out, nil
}

func after(r RefundRow, c Cursor) bool {
	if x := r.At.Compare(c.At); x != 0 {
		return x > 0
	}
	return r.id > c.ID
}

// Refunds returns one page of the refunds report after the cursor, and the
// next page's cursor. Voids are few next to purchases, so the period's rows
// are read whole and paged here.
func (s *Service) Refunds(ctx context.Context, actor accounts.User, f Filter, c Cursor, limit int) ([]RefundRow, Cursor, error) {
	if err := scope(actor, &f); err != nil {
		return nil, Cursor{}, err
	}
	all, err := s.refundRows(ctx, f)
	if err != nil {
		return nil, Cursor{}, err
	}
	start := 0
	if !c.IsZero() {
		start = len(all)
		for i, r := range all {
			if after(r, c) {
				start = i
				break
			}
		}
	}
	out := all[start:]
	var next Cursor
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].Cursor()
	}
	return out, next, nil
}

// StreamRefunds hands every row of the refunds report to emit.
func (s *Service) StreamRefunds(ctx context.Context, actor accounts.User, f Filter, emit func(RefundRow) error) error {
	if err := scope(actor, &f); err != nil {
		return err
	}
	all, err := s.refundRows(ctx, f)
	if err != nil {
		return err
	}
	for _, r := range all {
		if err := emit(r); err != nil {
			return err
		}
	}
	return nil
}
