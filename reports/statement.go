package reports

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/csv"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/internal/csvsafe"
)

// Statement is one master account's monthly statement.
type Statement struct {
	ID        int64
	PublicID  string
	AccountID int64
	Company   string
	Month     time.Time // the first day of the month, UTC
	Opening   int64     // every meter's balance together at the start of the month
	Closing   int64
	Meters    []MeterFunding
	CostCodes []SummaryRow
	Charges   []StatementCharge
	CreatedAt time.Time
}

// StatementCharge is one card charge of the month.
type StatementCharge struct {
	At          time.Time
	PublicID    string
	Kind        string // trickle, topup, refill
	MeterSerial string
	Amount      int64
	Fee         int64
	Refunded    int64
	Status      string
}

// StatementInfo is a stored statement without its files.
type StatementInfo struct {
	ID               int64
	PublicID         string
	AccountID        int64
	Month            time.Time
	Opening, Closing int64
	CreatedAt        time.Time
}

// monthBounds is the month containing t, as a report period.
func monthBounds(t time.Time) (time.Time, time.Time) {
	from := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	return from, from.AddDate(0, 1, 0)
}

// buildStatement gathers one account's month from the reports themselves,
// so the statement says exactly what the reports say.
func (s *Service) buildStatement(ctx context.Context, accountID int64, month time.Time) (Statement, error) {
	from, to := monthBounds(month)
	f := Filter{AccountID: accountID, From: from, To: to}
	st := Statement{AccountID: accountID, Month: from}
	company, _, err := accounts.CompanyAndOwnerEmail(ctx, s.pool, accountID)
	if err != nil {
		return st, err
	}
	st.Company = company
	if st.Meters, err = s.FundingTotals(ctx, accounts.System, f); err != nil {
		return st, err
	}
	for _, m := range st.Meters {
		st.Opening += m.Opening
		st.Closing += m.Closing
	}
	sum, err := s.Summary(ctx, accounts.System, f, ByCostCode)
	if err != nil {
		return st, err
	}
	st.CostCodes = append(sum.Rows, sum.Total)
	rows, err := s.pool.Query(ctx, `SELECT c.created_at, c.public_id, c.kind, m.serial, c.amount, c.fee, c.refunded, c.status
		FROM charges c JOIN meters m ON m.id = c.meter_id
		WHERE c.account_id = $1 AND c.created_at >= $2 AND c.created_at < $3
		AND c.status IN ('charged', 'credited', 'done', 'refunding', 'refunded') ORDER BY c.created_at, c.id`, accountID, from, to)
	if err != nil {
		return st, fmt.Errorf("reports: statement charges: %w", err)
	}
	st.Charges, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (StatementCharge, error) {
		var c StatementCharge
		return c, r.Scan(&c.At, &c.PublicID, &c.Kind, &c.MeterSerial, &c.Amount, &c.Fee, &c.Refunded, &c.Status)
	})
	if err != nil {
		return st, fmt.Errorf("reports: statement charges: %w", err)
	}
	return st, nil
}

// StatementCSV is the statement as CSV: one section after another, each a
// kind of line, so a spreadsheet can filter by the first column.
func StatementCSV(st Statement) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	month := st.Month.Format("2006-01")
	w.Write([]string{"section", "month", "meter_or_cost_code", "item", "amount", "pieces"})
	w.Write([]string{"balance", month, "", "opening", Dollars(st.Opening), ""})
	for _, m := range st.Meters {
		w.Write([]string{"meter", month, m.Serial, "opening", Dollars(m.Opening), ""})
		for _, k := range FundKinds {
			if v, ok := m.ByKind[k]; ok {
				w.Write([]string{"meter", month, m.Serial, k, Dollars(v), ""})
			}
		}
		w.Write([]string{"meter", month, m.Serial, "closing", Dollars(m.Closing), ""})
	}
	for _, c := range st.CostCodes {
		w.Write([]string{"cost_code", month, csvsafe.Cell(c.Key), "spend", Dollars(c.Spend()), strconv.FormatInt(c.Pieces-c.VoidedPieces, 10)})
	}
	for _, c := range st.Charges {
		w.Write([]string{"card_charge", month, c.MeterSerial, c.Kind + " " + c.PublicID, Dollars(c.Amount), ""})
		if c.Refunded > 0 {
			w.Write([]string{"card_refund", month, c.MeterSerial, c.Kind + " " + c.PublicID, Dollars(-c.Refunded), ""})
		}
	}
	w.Write([]string{"balance", month, "", "closing", Dollars(st.Closing), ""})
	w.Flush()
	return b.Bytes(), w.Error()
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

func newPublicID() string {
	b := make([]byte, 10)
	rand.Read(b)
	return "st_" + strings.ToLower(b32.EncodeToString(b))
}

// Mailer sends one email.
type Mailer func(ctx context.Context, to, subject, body string) error

// GenerateStatements stores the statement of month for every account with
// a meter that has none yet, then emails every stored statement not yet
// emailed. It is safe on several workers at once: one insert per account
// and month wins, and a statement whose email failed is sent on a later run.
func (s *Service) GenerateStatements(ctx context.Context, month time.Time, mail Mailer, baseURL string) (made int, err error) {
	from, _ := monthBounds(month)
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT m.account_id FROM meters m
		WHERE m.created_at < $1::date + interval '1 month'
		AND NOT EXISTS (SELECT 1 FROM statements s WHERE s.account_id = m.account_id AND s.month = $1::date) ORDER BY 1`, from)
	if err != nil {
		return 0, fmt.Errorf("reports: accounts for statements: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, fmt.Errorf("reports: accounts for statements: %w", err)
	}
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return made, err
		}
		st, err := s.buildStatement(ctx, id, from)
		if err != nil {
			return made, err
		}
		pdf, err := StatementPDF(st)
		if err != nil {
			return made, err
		}
		csvb, err := StatementCSV(st)
		if err != nil {
			return made, err
		}
		tag, err := s.pool.Exec(ctx, `INSERT INTO statements (public_id, account_id, month, opening, closing, pdf, csv, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (account_id, month) DO NOTHING`,
			newPublicID(), id, from, st.Opening, st.Closing, pdf, csvb, s.now())
		if err != nil {
			return made, fmt.Errorf("reports: store statement: %w", err)
		}
		made += int(tag.RowsAffected())
	}
	if mail == nil {
		return made, nil
	}
	return made, s.emailStatements(ctx, mail, baseURL)
}

// emailStatements tells each statement's recipients it is ready. The email
// carries a link, not the statement: reading it needs a login.
func (s *Service) emailStatements(ctx context.Context, mail Mailer, baseURL string) error {
	rows, err := s.pool.Query(ctx, `SELECT id, public_id, account_id, month FROM statements WHERE emailed_at IS NULL ORDER BY id LIMIT 500`)
	if err != nil {
		return fmt.Errorf("reports: unsent statements: %w", err)
	}
	type unsent struct {
		id, account int64
		public      string
		month       time.Time
	}
	todo, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (unsent, error) {
		var u unsent
		return u, r.Scan(&u.id, &u.public, &u.account, &u.month)
	})
	if err != nil {
		return fmt.Errorf("reports: unsent statements: %w", err)
	}
	var errs []error
	for _, u := range todo {
		// Claim before sending: two workers never both send one statement.
		tag, err := s.pool.Exec(ctx, `UPDATE statements SET emailed_at = $2 WHERE id = $1 AND emailed_at IS NULL`, u.id, s.now())
		if err != nil || tag.RowsAffected() == 0 {
			errs = append(errs, err)
			continue
		}
		to, err := accounts.StatementRecipients(ctx, s.pool, u.account)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		month := u.month.Format("January 2006")
		body := "Your Indicia statement for " + month + " is ready.\n\n" +
			"PDF: " + baseURL + "/reports/statements/" + u.public + "/pdf\n" +
			"CSV: " + baseURL + "/reports/statements/" + u.public + "/csv\n\n" +
			"It is also listed on the Reports page. You get this email as the account owner, or because you asked for it on the Reports page.\n"
		for _, addr := range to {
			if err := mail(ctx, addr, "Your Indicia statement for "+month, body); err != nil {
				errs = append(errs, fmt.Errorf("reports: email statement %s to %s: %w", u.public, addr, err))
			}
		}
	}
	return errors.Join(errs...)
}

// Statements lists the stored statements the actor may read, newest first:
// a mailer's own account's, or any account's (0: all) for a vendor admin.
func (s *Service) Statements(ctx context.Context, actor accounts.User, accountID int64) ([]StatementInfo, error) {
	f := Filter{AccountID: accountID}
	if err := scope(actor, &f); err != nil {
		return nil, err
	}
	q, args := `SELECT id, public_id, account_id, month, opening, closing, created_at FROM statements ORDER BY month DESC, account_id LIMIT 240`, []any{}
	if f.AccountID != 0 {
		q, args = `SELECT id, public_id, account_id, month, opening, closing, created_at FROM statements WHERE account_id = $1 ORDER BY month DESC LIMIT 240`, []any{f.AccountID}
	}
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("reports: statements: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (StatementInfo, error) {
		var x StatementInfo
		return x, r.Scan(&x.ID, &x.PublicID, &x.AccountID, &x.Month, &x.Opening, &x.Closing, &x.CreatedAt)
	})
	if err != nil {
		return nil, fmt.Errorf("reports: statements: %w", err)
	}
	return out, nil
}

// StatementFile returns one stored statement's PDF or CSV ("pdf", "csv").
// Another account's statement is "not found", never "forbidden".
func (s *Service) StatementFile(ctx context.Context, actor accounts.User, publicID, format string) (StatementInfo, []byte, error) {
	f := Filter{}
	if err := scope(actor, &f); err != nil {
		return StatementInfo{}, nil, err
	}
	col := map[string]string{"pdf": "pdf", "csv": "csv"}[format]
	if col == "" {
		return StatementInfo{}, nil, apperr.Invalid("format", "Choose pdf or csv.")
	}
	var x StatementInfo
	var b []byte
	err := s.pool.QueryRow(ctx, `SELECT id, public_id, account_id, month, opening, closing, created_at, `+col+` FROM statements WHERE public_id = $1`, publicID).
		Scan(&x.ID, &x.PublicID, &x.AccountID, &x.Month, &x.Opening, &x.Closing, &x.CreatedAt, &b)
	if errors.Is(err, pgx.ErrNoRows) || err == nil && f.AccountID != 0 && x.AccountID != f.AccountID {
		return StatementInfo{}, nil, apperr.NotFound("No such statement.")
	}
	if err != nil {
		return StatementInfo{}, nil, fmt.Errorf("reports: statement: %w", err)
	}
	return x, b, nil
}
