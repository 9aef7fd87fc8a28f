// Command reportgen seeds a large label history for the reports benchmark
// (loadtest/reports_bench.sh): it COPYs labels (one purchase each) into an
// existing mailer's account on its meter, and into other accounts that it
// creates by copying that account and meter, spread over the last days.
//
//	reportgen -db URL -email mailer@demo.indicia.test -labels 1000000 -accounts 999 -other-labels 1000
//
// The rows are generated while COPY reads them: memory stays flat. The
// signed columns (indicium bytes, meter MACs) are placeholders: the
// benchmark reads reports, it never verifies these labels.
package main

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"log"
	"runtime"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"indicia/accounts"
	"indicia/metering"
	"indicia/reports"
)

func main() {
	dbURL := flag.String("db", "", "PostgreSQL URL of a migrated, seeded database")
	email := flag.String("email", "mailer@demo.indicia.test", "the owner of the large account")
	labels := flag.Int("labels", 1_000_000, "labels for the large account")
	others := flag.Int("accounts", 0, "other accounts to create")
	otherLabels := flag.Int("other-labels", 1000, "labels for each other account")
	days := flag.Int("days", 365, "spread the labels over this many days before now")
	measure := flag.Bool("measure", false, "instead of seeding, stream the large account's one-year register as CSV to nowhere and print rows/s")
	flag.Parse()
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, *dbURL)
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	var accountID, userID, meterID int64
	var origin string
	err = pool.QueryRow(ctx, `SELECT u.account_id, u.id, m.id, m.origin_zip FROM users u JOIN meters m ON m.account_id = u.account_id
		WHERE u.email = $1 ORDER BY m.id LIMIT 1`, *email).Scan(&accountID, &userID, &meterID, &origin)
	if err != nil {
		log.Fatalf("reportgen: find %s and a meter: %v", *email, err)
	}
	if *measure {
		measureRegister(ctx, pool, accountID)
		return
	}
	// A few cost codes for the large account, so filters and groups have something to find.
	var codes []int64
	for _, name := range []string{"Marketing", "Billing", "Legal", "Support"} {
		var id int64
		err := pool.QueryRow(ctx, `INSERT INTO cost_codes (account_id, name, created_at) VALUES ($1, $2, now())
			ON CONFLICT (account_id, lower(name)) DO UPDATE SET name = excluded.name RETURNING id`, accountID, name).Scan(&id)
		if err != nil {
			log.Fatalf("reportgen: cost code: %v", err)
		}
		codes = append(codes, id)
	}
	start := time.Now()
	if err := seed(ctx, pool, accountID, userID, meterID, origin, codes, *labels, *days); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("reportgen: %d labels for account %d in %s\n", *labels, accountID, time.Since(start).Round(time.Millisecond))
	start = time.Now()
	for i := 0; i < *others; i++ {
		var acct, meter int64
		err := pool.QueryRow(ctx, `INSERT INTO master_accounts (company, address_line1, city, state, zip, origin_zip, created_at)
			SELECT company || ' ' || $2::text, address_line1, city, state, zip, origin_zip, created_at FROM master_accounts WHERE id = $1 RETURNING id`,
			accountID, strconv.Itoa(i)).Scan(&acct)
		if err == nil {
			err = pool.QueryRow(ctx, `INSERT INTO meters (serial, mfg_number, account_id, origin_zip, status, ar, dr, piece_count, counter, wrapped_key,
				key_version, mac_version, chain_head, mac, cert_pem, created_at, updated_at)
				SELECT 'BENCH-' || nextval('meter_serial_seq'), mfg_number, $2, origin_zip, status, 0, 0, 0, 0, wrapped_key,
				key_version, mac_version, chain_head, mac, cert_pem, created_at, updated_at FROM meters WHERE id = $1 RETURNING id`, meterID, acct).Scan(&meter)
		}
		if err == nil {
			err = seed(ctx, pool, acct, 0, meter, origin, nil, *otherLabels, *days)
		}
		if err != nil {
			log.Fatalf("reportgen: account %d: %v", i, err)
		}
	}
	fmt.Printf("reportgen: %d other accounts with %d labels each in %s\n", *others, *otherLabels, time.Since(start).Round(time.Millisecond))
	// The labels were COPYed past the purchase path: sum them into the rollup.
	if err := metering.RebuildSpendRollup(ctx, pool); err != nil {
		log.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `ANALYZE indicia; ANALYZE purchases; ANALYZE ledger_entries; ANALYZE charges; ANALYZE spend_rollup`); err != nil {
		log.Fatal(err)
	}
}

// measureRegister streams the one-year register the way the download does
// (reports.StreamRegister into encoding/csv), without HTTP, and prints the
// rate and the Go heap after.
func measureRegister(ctx context.Context, pool *pgxpool.Pool, accountID int64) {
	today := time.Now().UTC().Truncate(24 * time.Hour)
	f := reports.Filter{AccountID: accountID, From: today.AddDate(0, 0, -365), To: today.AddDate(0, 0, 1)}
	w := csv.NewWriter(io.Discard)
	start := time.Now()
	var first time.Duration
	n := 0
	err := reports.New(pool).StreamRegister(ctx, accounts.System, f, func(r reports.RegisterRow) error {
		if n == 0 {
			first = time.Since(start)
		}
		n++
		return w.Write(r.Cells())
	})
	w.Flush()
	if err != nil {
		log.Fatal(err)
	}
	took := time.Since(start)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("register: %d rows in %s = %.0f rows/s; first row after %s; Go heap in use %.1f MB\n", n, took.Round(time.Millisecond),
		float64(n)/took.Seconds(), first.Round(time.Millisecond), float64(ms.HeapInuse)/1e6)
}

var classes = []string{"FCM_LETTER", "FCM_LETTER", "FCM_LETTER", "FCM_FLAT", "PRIORITY"}
var dests = []string{"90210", "10001", "60601", "94105", "02110", "73301", "98101"}

// seed COPYs n purchases of one label each, then their labels, on one meter.
func seed(ctx context.Context, pool *pgxpool.Pool, accountID, userID, meterID int64, origin string, codes []int64, n, days int) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	var firstPurchase, firstPiece int64
	if err := tx.QueryRow(ctx, `SELECT setval('purchases_id_seq', nextval('purchases_id_seq') + $1) - $1`, n).Scan(&firstPurchase); err != nil {
		return err
	}
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(piece_number), 0) + 1 FROM indicia WHERE meter_id = $1`, meterID).Scan(&firstPiece); err != nil {
		return err
	}
	var firstLabel int64
	if err := tx.QueryRow(ctx, `SELECT setval('indicia_id_seq', nextval('indicia_id_seq') + $1) - $1`, n).Scan(&firstLabel); err != nil {
		return err
	}
	now := time.Now().UTC()
	span := time.Duration(days) * 24 * time.Hour
	at := func(i int) time.Time { return now.Add(-span + time.Duration(int64(span)/int64(n)*int64(i))) }
	var user any
	if userID != 0 {
		user = userID
	}
	i := 0
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"purchases"}, []string{"id", "public_id", "account_id", "meter_id", "user_id", "request_hash", "pieces", "postage", "created_at"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == n {
				return nil, nil
			}
			id := firstPurchase + int64(i)
			row := []any{id, "bp_" + strconv.FormatInt(id, 36), accountID, meterID, user, []byte{0}, 1, int64(58 + i%7*10), at(i)}
			i++
			return row, nil
		}))
	if err != nil {
		return fmt.Errorf("copy purchases: %w", err)
	}
	i = 0
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"indicia"}, []string{"id", "public_id", "purchase_id", "meter_id", "account_id", "piece_number", "mailing_date",
		"postage", "origin_zip", "dest_zip", "mail_class", "services", "data", "status", "voided_at", "void_reason", "cost_code_id", "created_at", "user_id"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == n {
				return nil, nil
			}
			id := firstLabel + int64(i)
			t := at(i)
			status, reason := "issued", ""
			var voided any
			if i%100 == 0 {
				status, reason, voided = "voided", "voided by the mailer", t.Add(time.Hour)
			}
			var code any
			if len(codes) > 0 && i%3 != 0 {
				code = codes[i%len(codes)]
			}
			row := []any{id, "bl_" + strconv.FormatInt(id, 36), firstPurchase + int64(i), meterID, accountID, firstPiece + int64(i), t,
				int64(58 + i%7*10), origin, dests[i%len(dests)], classes[i%len(classes)], int32(0), []byte{0}, status, voided, reason, code, t, user}
			i++
			return row, nil
		}))
	if err != nil {
		return fmt.Errorf("copy indicia: %w", err)
	}
	return tx.Commit(ctx)
}
