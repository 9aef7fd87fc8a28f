package reports

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/metering"
	"indicia/metering/rating"
	"indicia/postage"
)

// RegisterRow is one piece in the transaction register.
type RegisterRow struct {
	id          int64
	At          time.Time
	LabelID     string
	MeterSerial string
	User        string
	CostCode    string
	OriginZIP   string
	// DestZIP is the destination ZIP; abroad, the country code and the
	// postal code ("DE 10115"), so page and CSV name the country.
	DestZIP     string
	Class       string
	Services    []string
	MailingDate time.Time
	WeightOz    float64 // as the mailer gave it; 0 when the postage was entered by hand
	Postage     int64
	// Fee is the card fee of a trickle purchase, on its first piece only,
	// so the column adds up to what the card paid in fees.
	Fee      int64
	Status   string // issued, used, voided, refunded
	VoidedAt *time.Time
}

// RegisterHeader names the register's columns in its downloads.
var RegisterHeader = []string{"date_time_utc", "label_id", "meter_serial", "user", "cost_code", "origin_zip", "dest_zip", "class",
	"services", "mailing_date", "weight_oz", "postage", "fee", "status", "void_refund_date"}

// Cells is the row as download cells.
func (r RegisterRow) Cells() []string {
	void := ""
	if r.VoidedAt != nil {
		void = r.VoidedAt.UTC().Format("2006-01-02 15:04:05")
	}
	return []string{r.At.UTC().Format("2006-01-02 15:04:05"), r.LabelID, r.MeterSerial, r.User, r.CostCode, r.OriginZIP, r.DestZIP,
		className(r.Class), strings.Join(r.Services, "; "), r.MailingDate.Format("2006-01-02"), Weight(r.WeightOz), Dollars(r.Postage), Dollars(r.Fee), r.Status, void}
}

// Cursor is where a page that ends with this row goes on.
func (r RegisterRow) Cursor() Cursor { return Cursor{At: r.At, ID: r.id} }

// Weight writes ounces as a plain decimal a spreadsheet reads as a number.
func Weight(oz float64) string { return strconv.FormatFloat(oz, 'f', -1, 64) }

func className(code string) string {
	if n := rating.ClassName(code); n != "" {
		return n
	}
	return code
}

// registerFrom is the register's joins: the piece, its meter, its buyer
// (the piece's own user_id) and its cost code, every one a look-up by key,
// so the rows come out in the order of the index on (account_id,
// created_at, id) with no hash of purchases and no sort.
const registerFrom = `FROM indicia i
JOIN meters m ON m.id = i.meter_id
LEFT JOIN users u ON u.id = i.user_id
LEFT JOIN cost_codes cc ON cc.id = i.cost_code_id`

// feeSQL is the card fee of the piece's trickle purchase, on its first piece
// only. Whether the filter's account has any trickle charge at all is asked
// once (an InitPlan): an account that prefunds its meters pays nothing per
// row; otherwise each row looks its purchase's charge up by key.
func feeSQL(w *where, f Filter) string {
	scope := ""
	if f.AccountID != 0 {
		scope = " AND c0.account_id = " + w.arg(f.AccountID)
	}
	return `CASE WHEN (SELECT EXISTS (SELECT 1 FROM charges c0 WHERE c0.kind = 'trickle' AND c0.purchase_public_id <> ''` + scope + `))
	THEN coalesce((SELECT CASE WHEN i.piece_number = (SELECT min(x.piece_number) FROM indicia x WHERE x.purchase_id = i.purchase_id) THEN c.fee ELSE 0 END
		FROM purchases p JOIN charges c ON c.purchase_public_id = p.public_id AND c.purchase_public_id <> '' AND c.kind = 'trickle'
		WHERE p.id = i.purchase_id ORDER BY c.id LIMIT 1), 0)
	ELSE 0 END`
}

// registerSQL reads the register in (created_at, id) order, the order of
// the index on (account_id, created_at, id), so rows stream as they are read.
const registerSQL = `SELECT i.id, i.created_at, i.public_id, m.serial, coalesce(u.name, ''), coalesce(cc.name, ''), i.origin_zip,
	CASE WHEN i.dest_country = 'US' THEN i.dest_zip ELSE i.dest_country || ' ' || i.dest_zip END,
	i.mail_class, i.services, i.mailing_date, i.weight_oz::float8, i.postage, %s,
	i.status, i.void_reason, i.used_at, i.voided_at
` + registerFrom + `
WHERE %s
ORDER BY i.created_at, i.id`

func (s *Service) registerQuery(f Filter, after Cursor, limit int) (string, []any) {
	w := pieces(f)
	if !after.IsZero() {
		w.add("(i.created_at, i.id) > (?, ?)", after.At, after.ID)
	}
	fee := feeSQL(w, f)
	q := fmt.Sprintf(registerSQL, fee, w)
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	return q, w.args
}

func scanRegister(rows pgx.CollectableRow) (RegisterRow, error) {
	var r RegisterRow
	var services int32
	var reason string
	var used *time.Time
	err := rows.Scan(&r.id, &r.At, &r.LabelID, &r.MeterSerial, &r.User, &r.CostCode, &r.OriginZIP, &r.DestZIP, &r.Class, &services,
		&r.MailingDate, &r.WeightOz, &r.Postage, &r.Fee, &r.Status, &reason, &used, &r.VoidedAt)
	if err != nil {
		return r, fmt.Errorf("reports: register row: %w", err)
	}
	for _, code := range postage.ServiceCodes(uint32(services)) {
		r.Services = append(r.Services, rating.ServiceName(code))
	}
	switch {
	case r.Status == "voided" && reason == metering.VoidSubmittedForRefund:
		r.Status = "refunded"
	case r.Status == "voided":
	case used != nil:
		r.Status = "used"
	}
	return r, nil
}

// Register returns one page of the register after the cursor, and the
// cursor of the next page (zero at the end).
func (s *Service) Register(ctx context.Context, actor accounts.User, f Filter, after Cursor, limit int) ([]RegisterRow, Cursor, error) {
	if err := scope(actor, &f); err != nil {
		return nil, Cursor{}, err
	}
	q, args := s.registerQuery(f, after, limit+1)
	// Planned for each page's own values: a cached generic plan for this
	// keyset query, which a connection picks after five pages, hashes and
	// sorts the whole period for every page (8,600 rows/s against 164,000).
	rows, err := s.read.Query(ctx, q, append([]any{pgx.QueryExecModeExec}, args...)...)
	if err != nil {
		return nil, Cursor{}, fmt.Errorf("reports: register: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (RegisterRow, error) { return scanRegister(r) })
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

// streamChunk is how many rows StreamRegister reads per query.
const streamChunk = 10_000

// StreamRegister hands every row of the register to emit, reading it in
// keyset chunks: each query walks the (account_id, created_at, id) index
// from the last row sent, so PostgreSQL never sorts or hashes the whole
// period before the first row, and memory here holds one chunk at most.
func (s *Service) StreamRegister(ctx context.Context, actor accounts.User, f Filter, emit func(RegisterRow) error) error {
	for c := (Cursor{}); ; {
		rows, next, err := s.Register(ctx, actor, f, c, s.chunk)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := emit(r); err != nil {
				return err
			}
		}
		if next.IsZero() {
			return nil
		}
		c = next
	}
}
