package reports

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/metering"
	"indicia/metering/rating"
	"indicia/postage"
)

// CopyRegisterCSV writes the register's rows (no header) as CSV to w, the
// cells exactly as RegisterRow.Cells and the download's formula guard make
// them. PostgreSQL formats the rows itself (COPY … TO STDOUT) and the bytes
// pass through untouched: scanning a million rows into Go values and
// formatting them again cost more than the query.
func (s *Service) CopyRegisterCSV(ctx context.Context, actor accounts.User, f Filter, w io.Writer) error {
	if err := scope(actor, &f); err != nil {
		return err
	}
	q, args := copyRegisterSQL(f)
	return pgx.BeginTxFunc(ctx, s.read, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		// COPY takes no bind parameters, so the filter's values travel as
		// transaction-local settings the statement reads back and casts.
		for i, a := range args {
			if _, err := tx.Exec(ctx, `SELECT set_config($1, $2, true)`, copyParam(i+1), copyParamText(a)); err != nil {
				return fmt.Errorf("reports: register copy parameter: %w", err)
			}
		}
		// One statement reads the whole period: JIT compiling it costs more
		// than it saves on rows this simple. An account's register reads its
		// index in order; should a plan sort (every account's pieces at
		// once), the sort stays in memory.
		if _, err := tx.Exec(ctx, `SET LOCAL jit = off`); err != nil {
			return fmt.Errorf("reports: register copy settings: %w", err)
		}
		if _, err := tx.Exec(ctx, `SET LOCAL work_mem = '64MB'`); err != nil {
			return fmt.Errorf("reports: register copy settings: %w", err)
		}
		if _, err := tx.Exec(ctx, `SET LOCAL DateStyle = 'ISO, MDY'`); err != nil {
			return fmt.Errorf("reports: register copy settings: %w", err)
		}
		if _, err := tx.Conn().PgConn().CopyTo(ctx, w, q); err != nil {
			return fmt.Errorf("reports: register copy: %w", err)
		}
		return nil
	})
}

func copyParam(n int) string { return "indicia.report_arg_" + strconv.Itoa(n) }

// copyParamText is a filter value as text, and copyParamType the cast that
// reads it back.
func copyParamText(a any) string {
	switch v := a.(type) {
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}

func copyParamType(a any) string {
	switch a.(type) {
	case time.Time:
		return "timestamptz"
	case string:
		return "text"
	case int64, int, int32:
		return "bigint"
	}
	panic(fmt.Sprintf("reports: no SQL type for a %T filter value", a))
}

// csvSafeSQL is csvsafe.Cell in SQL: a text cell a spreadsheet would read as
// a formula gets a leading quote; an empty one becomes NULL, which COPY
// writes as an empty field (it quotes an empty string).
func csvSafeSQL(expr string) string {
	// ascii() tests the first character as an integer, without building a
	// one-character string per cell: '=' 61, '+' 43, '-' 45, '@' 64, tab 9, CR 13.
	return `nullif(CASE WHEN ascii(` + expr + `) IN (61, 43, 45, 64, 9, 13) THEN '''' || ` + expr + ` ELSE ` + expr + ` END, '')`
}

// sqlText quotes one of our own constant strings (class and service names)
// as an SQL literal.
func sqlText(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// classNameSQL is className over s.mail_class.
func classNameSQL() string {
	var b strings.Builder
	b.WriteString("CASE s.mail_class")
	for _, c := range rating.Classes() {
		if n := rating.ClassName(c); n != "" {
			fmt.Fprintf(&b, " WHEN %s THEN %s", sqlText(c), sqlText(n))
		}
	}
	b.WriteString(" ELSE s.mail_class END")
	return b.String()
}

// servicesSQL joins the names of the services in s.services, bit by bit in
// the order postage.ServiceCodes decodes them.
func servicesSQL() string {
	var parts []string
	for bit := 0; bit < 31; bit++ {
		codes := postage.ServiceCodes(1 << bit)
		if len(codes) == 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("CASE WHEN s.services & %d <> 0 THEN %s END", 1<<bit, sqlText(rating.ServiceName(codes[0]))))
	}
	if len(parts) == 0 {
		return "NULL"
	}
	return "CASE WHEN s.services <> 0 THEN array_to_string(ARRAY[" + strings.Join(parts, ", ") + "], '; ') END"
}

// dollarsSQL is Dollars over a column of cents, in integer arithmetic
// (numeric division cost more than the rest of the row).
func dollarsSQL(col string) string {
	return "CASE WHEN " + col + " < 0 THEN '-' ELSE '' END || (abs(" + col + ") / 100)::text || '.' || lpad((abs(" + col + ") % 100)::text, 2, '0')"
}

// copyRegisterInner is the register's rows in order, unformatted: the
// formatting sits above it (OFFSET 0 keeps PostgreSQL from folding the two),
// so each cell is formatted once, from the rows as the index yields them.
const copyRegisterInner = `SELECT i.created_at, i.id, i.public_id, m.serial, coalesce(u.name, '') AS user_name, coalesce(cc.name, '') AS cost_code,
	i.origin_zip, CASE WHEN i.dest_country = 'US' THEN i.dest_zip ELSE i.dest_country || ' ' || i.dest_zip END AS dest,
	i.mail_class, i.services, i.mailing_date, i.weight_oz, i.postage, %s AS fee,
	i.status, i.void_reason, i.used_at, i.voided_at
` + registerFrom + `
WHERE %s
ORDER BY i.created_at, i.id OFFSET 0`

func copyRegisterSQL(f Filter) (string, []any) {
	w := pieces(f)
	fee := feeSQL(w, f)
	inner := fmt.Sprintf(copyRegisterInner, fee, w)
	// Highest first, so "$1" never rewrites the start of "$12".
	for n := len(w.args); n >= 1; n-- {
		inner = strings.ReplaceAll(inner, "$"+strconv.Itoa(n), fmt.Sprintf("current_setting('%s')::%s", copyParam(n), copyParamType(w.args[n-1])))
	}
	// Timestamps and dates print as ISO text (DateStyle is set with the
	// statement); date_trunc drops the fraction as the Go layout does.
	cols := []string{
		`date_trunc('second', s.created_at AT TIME ZONE 'UTC')::text`,
		csvSafeSQL(`s.public_id`),
		csvSafeSQL(`s.serial`),
		csvSafeSQL(`s.user_name`),
		csvSafeSQL(`s.cost_code`),
		csvSafeSQL(`s.origin_zip`),
		csvSafeSQL(`s.dest`),
		classNameSQL(),
		servicesSQL(),
		`s.mailing_date::text`,
		`trim_scale(s.weight_oz)::text`,
		dollarsSQL(`s.postage`),
		dollarsSQL(`s.fee`),
		`CASE WHEN s.status = 'voided' AND s.void_reason = ` + sqlText(metering.VoidSubmittedForRefund) + ` THEN 'refunded'
			WHEN s.status = 'voided' THEN 'voided' WHEN s.used_at IS NOT NULL THEN 'used' ELSE ` + csvSafeSQL(`s.status`) + ` END`,
		`date_trunc('second', s.voided_at AT TIME ZONE 'UTC')::text`,
	}
	q := `COPY (SELECT ` + strings.Join(cols, ",\n\t") + `
FROM (` + inner + `) s) TO STDOUT WITH (FORMAT csv)`
	return q, w.args
}
