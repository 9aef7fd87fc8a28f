package reports

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
)

// Kinds of funding movement, as the funding history names them.
const (
	FundOpening       = "opening"        // a balance older than the ledger
	FundTopUp         = "top_up"         // a prepaid top-up paid by card
	FundAutoRefill    = "auto_refill"    // an automatic top-up at the threshold
	FundTrickleCharge = "trickle_charge" // a card charge that funded exactly one purchase
	FundAdminCredit   = "admin_credit"   // funds credited by a vendor admin
	FundVoidRefund    = "void_refund"    // a voided prepaid label's postage back in the meter
	FundPurchase      = "purchase"       // postage dispensed
	// FundTakenBack is money taken back out of the meter because a refund or
	// dispute was made outside Indicia (a debit, so negative).
	FundTakenBack = "refund_taken_back"
)

// FundKinds lists the kinds in display order.
var FundKinds = []string{FundOpening, FundTopUp, FundAutoRefill, FundTrickleCharge, FundAdminCredit, FundVoidRefund, FundTakenBack, FundPurchase}

// FundingRow is one movement of a meter's funds, with the balance after it.
type FundingRow struct {
	id          int64
	At          time.Time
	MeterSerial string
	Kind        string
	Reference   string // the charge or transfer behind the movement
	Amount      int64  // positive into the meter, negative out of it
	CardFee     int64  // the card fee charged beside a trickle charge
	Balance     int64
}

// FundingHeader names the funding history's columns in its downloads.
var FundingHeader = []string{"date_time_utc", "meter_serial", "kind", "reference", "amount", "card_fee", "balance"}

// Cells is the row as download cells.
func (r FundingRow) Cells() []string {
	return []string{r.At.UTC().Format("2006-01-02 15:04:05"), r.MeterSerial, r.Kind, r.Reference, Dollars(r.Amount), Dollars(r.CardFee), Dollars(r.Balance)}
}

// Cursor is where a page that ends with this row goes on.
func (r FundingRow) Cursor() Cursor { return Cursor{At: r.At, ID: r.id} }

// MeterFunding is one meter's funding over the period: the balance at its
// start, the sum of each kind of movement, and the balance at its end.
type MeterFunding struct {
	Serial  string
	Opening int64
	ByKind  map[string]int64
	Closing int64
}

// Credited is everything that went into the meter in the period.
func (m MeterFunding) Credited() int64 {
	var n int64
	for k, v := range m.ByKind {
		if k != FundPurchase {
			n += v
		}
	}
	return n
}

// fundingFrom is a meter's ledger account with what each entry was: the
// ledger says credit or dispense, the funds transfer says why a credit came,
// and the charge says whether a card payment was a top-up or an auto-refill.
const fundingFrom = `FROM meters m
JOIN ledger_entries l ON l.account = 'meter:' || m.id
LEFT JOIN funds_transfers ft ON l.kind = 'credit' AND ft.transfer_id = substr(l.transfer_id, 8)
LEFT JOIN charges c ON ft.reason IN ('card_payment', 'trickle_charge') AND c.payment_intent_id = ft.transfer_id AND c.payment_intent_id <> ''`

const fundingKind = `CASE WHEN l.kind = 'opening' THEN 'opening'
	WHEN l.kind = 'dispense' THEN 'purchase'
	WHEN l.kind = 'debit' THEN 'refund_taken_back'
	WHEN ft.reason = 'trickle_charge' THEN 'trickle_charge'
	WHEN ft.reason = 'card_payment' AND c.kind = 'refill' THEN 'auto_refill'
	WHEN ft.reason = 'card_payment' THEN 'top_up'
	WHEN ft.reason = 'void_refund' THEN 'void_refund'
	WHEN ft.reason = 'admin_credit' THEN 'admin_credit'
	ELSE l.kind END`

// meters narrows meters (alias m) to the filter's account and meter.
func meters(f Filter) *where {
	w := &where{}
	if f.AccountID != 0 {
		w.add("m.account_id = ?", f.AccountID)
	}
	if f.MeterSerial != "" {
		w.add("m.serial = ?", f.MeterSerial)
	}
	return w
}

// FundingTotals sums each meter's funding over the period. Its closing
// balances, with the period ending now, are the meters' descending
// registers, and everything credited since the meter began is AR + DR.
func (s *Service) FundingTotals(ctx context.Context, actor accounts.User, f Filter) ([]MeterFunding, error) {
	if err := scope(actor, &f); err != nil {
		return nil, err
	}
	w := meters(f)
	w.add("l.created_at < ?", f.To)
	from := len(w.args) + 1
	w.args = append(w.args, f.From)
	q := fmt.Sprintf(`SELECT m.serial, CASE WHEN l.created_at < $%d THEN 'before' ELSE %s END AS k, sum(l.amount)::bigint
		%s WHERE %s GROUP BY m.serial, k ORDER BY m.serial`, from, fundingKind, fundingFrom, w)
	rows, err := s.read.Query(ctx, q, w.args...)
	if err != nil {
		return nil, fmt.Errorf("reports: funding totals: %w", err)
	}
	defer rows.Close()
	var out []MeterFunding
	for rows.Next() {
		var serial, kind string
		var amount int64
		if err := rows.Scan(&serial, &kind, &amount); err != nil {
			return nil, fmt.Errorf("reports: funding totals: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].Serial != serial {
			out = append(out, MeterFunding{Serial: serial, ByKind: map[string]int64{}})
		}
		m := &out[len(out)-1]
		if kind == "before" {
			m.Opening += amount
		} else {
			m.ByKind[kind] += amount
		}
		m.Closing += amount
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reports: funding totals: %w", err)
	}
	return out, nil
}

// balancesBefore is each meter's balance just before the first row after
// the cursor: everything before the period, and the period's rows up to it.
func (s *Service) balancesBefore(ctx context.Context, f Filter, after Cursor) (map[string]int64, error) {
	w := meters(f)
	w.add("(l.created_at < ? OR (l.created_at < ? AND l.id <= ?))", f.From, f.To, after.ID)
	rows, err := s.read.Query(ctx, `SELECT m.serial, sum(l.amount)::bigint FROM meters m JOIN ledger_entries l ON l.account = 'meter:' || m.id
		WHERE `+w.String()+` GROUP BY m.serial`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("reports: funding balances: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var serial string
		var n int64
		if err := rows.Scan(&serial, &n); err != nil {
			return nil, fmt.Errorf("reports: funding balances: %w", err)
		}
		out[serial] = n
	}
	return out, rows.Err()
}

func (s *Service) fundingRows(ctx context.Context, f Filter, after Cursor, limit int, emit func(FundingRow) error) error {
	bal, err := s.balancesBefore(ctx, f, after)
	if err != nil {
		return err
	}
	w := meters(f)
	w.add("l.created_at >= ?", f.From)
	w.add("l.created_at < ?", f.To)
	if after.ID != 0 {
		w.add("l.id > ?", after.ID)
	}
	q := fmt.Sprintf(`SELECT l.id, l.created_at, m.serial, %s, coalesce(c.public_id, ft.transfer_id, l.transfer_id), l.amount,
		CASE WHEN ft.reason = 'trickle_charge' THEN coalesce(c.fee, 0) ELSE 0 END
		%s WHERE %s ORDER BY l.id`, fundingKind, fundingFrom, w)
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := s.read.Query(ctx, q, w.args...)
	if err != nil {
		return fmt.Errorf("reports: funding: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r FundingRow
		if err := rows.Scan(&r.id, &r.At, &r.MeterSerial, &r.Kind, &r.Reference, &r.Amount, &r.CardFee); err != nil {
			return fmt.Errorf("reports: funding: %w", err)
		}
		bal[r.MeterSerial] += r.Amount
		r.Balance = bal[r.MeterSerial]
		if err := emit(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reports: funding: %w", err)
	}
	return nil
}

// Funding returns one page of the funding history after the cursor, each
// row with its meter's balance after it, and the next page's cursor.
func (s *Service) Funding(ctx context.Context, actor accounts.User, f Filter, after Cursor, limit int) ([]FundingRow, Cursor, error) {
	if err := scope(actor, &f); err != nil {
		return nil, Cursor{}, err
	}
	var out []FundingRow
	err := s.fundingRows(ctx, f, after, limit+1, func(r FundingRow) error { out = append(out, r); return nil })
	if err != nil {
		return nil, Cursor{}, err
	}
	var next Cursor
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].Cursor()
	}
	return out, next, nil
}

// StreamFunding hands every row of the funding history to emit as it is read.
func (s *Service) StreamFunding(ctx context.Context, actor accounts.User, f Filter, emit func(FundingRow) error) error {
	if err := scope(actor, &f); err != nil {
		return err
	}
	return s.fundingRows(ctx, f, Cursor{}, 0, emit)
}

// BalancePoint is a meter's balance at the end of a day.
type BalancePoint struct {
	Day     time.Time
	Balance int64
}

// DailyBalances is the balance of all the filter's meters together at the
// end of each day of the period that saw a movement (and the period's start).
func (s *Service) DailyBalances(ctx context.Context, actor accounts.User, f Filter) ([]BalancePoint, error) {
	if err := scope(actor, &f); err != nil {
		return nil, err
	}
	w := meters(f)
	w.add("l.created_at < ?", f.To)
	from := len(w.args) + 1
	w.args = append(w.args, f.From)
	q := fmt.Sprintf(`SELECT greatest((l.created_at AT TIME ZONE 'UTC')::date, ($%d::timestamptz AT TIME ZONE 'UTC')::date - 1) AS d, sum(l.amount)::bigint
		FROM meters m JOIN ledger_entries l ON l.account = 'meter:' || m.id WHERE %s GROUP BY d ORDER BY d`, from, w)
	rows, err := s.read.Query(ctx, q, w.args...)
	if err != nil {
		return nil, fmt.Errorf("reports: daily balances: %w", err)
	}
	pts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (BalancePoint, error) {
		var p BalancePoint
		return p, r.Scan(&p.Day, &p.Balance)
	})
	if err != nil {
		return nil, fmt.Errorf("reports: daily balances: %w", err)
	}
	var run int64
	for i := range pts {
		run += pts[i].Balance
		pts[i].Balance = run
	}
	return pts, nil
}
