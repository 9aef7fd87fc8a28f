// Command labelgen seeds a database with generated labels for the label
// history benchmark (loadtest/label_history_bench.sh) and times the history's
// queries through metering.ListLabels:
//
//	labelgen -db URL -labels 1000000 -others 999 -per 4000   # seed (COPY)
//	labelgen -db URL -bench -iters 200                        # time the pages
//
// The large account gets -labels labels over three years on four meters,
// with twenty users, ten cost codes, a mix of classes and of statuses (most
// used, some issued, a few voided or refunded). Each other account gets -per
// labels on one meter. Rows are written directly with COPY: the signed
// indicia are a fixed blob, since nothing here verifies them.
package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"indicia/accounts"
	"indicia/db"
	"indicia/metering"
)

var (
	firsts  = []string{"ROBERT", "MARY", "JOHN", "PATRICIA", "JAMES", "LINDA", "WILLIAM", "ELIZABETH", "DAVID", "BARBARA", "RICHARD", "SUSAN"}
	lasts   = []string{"SMITH", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "GARCIA", "MILLER", "DAVIS", "RODRIGUEZ", "MARTINEZ", "HERNANDEZ", "LOPEZ"}
	streets = []string{"MAIN ST", "OAK AVE", "ELM ST", "PARK RD", "CEDAR LN", "MAPLE DR", "PINE ST", "LAKE BLVD"}
	origins = []string{"06901", "10001", "60601", "94105"}
	dests   = []string{"90210", "60606", "10001", "33101", "98101", "02108", "30301", "75201", "80202", "85001"}
	// Classes by share: letters most, then ground, priority, flats.
	classes = []string{"FCM_LETTER", "FCM_LETTER", "FCM_LETTER", "FCM_LETTER", "FCM_LETTER", "FCM_LETTER", "GROUND_ADVANTAGE", "GROUND_ADVANTAGE",
		"PRIORITY", "FCM_FLAT"}
)

const piecesPerPurchase = 5

func main() {
	dbURL := flag.String("db", "", "PostgreSQL URL (migrated here)")
	labels := flag.Int("labels", 0, "labels of the large account to seed")
	others := flag.Int("others", 0, "other accounts to seed")
	per := flag.Int("per", 0, "labels of each other account")
	originZIPs := flag.Int("origins", 0, "postal benchmark: accounts to seed, each with one meter at its own origin ZIP (-per labels each)")
	bench := flag.Bool("bench", false, "time the label history's pages on the large account")
	postalBench := flag.Bool("postal", false, "time the postal views over every account")
	iters := flag.Int("iters", 200, "queries per benchmark case")
	flag.Parse()
	if *dbURL == "" {
		log.Fatal("-db is required")
	}
	ctx := context.Background()
	pool, err := db.Open(ctx, *dbURL)
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	if _, err := db.Migrate(ctx, pool); err != nil {
		log.Fatal(err)
	}
	if *labels > 0 {
		t0 := time.Now()
		if err := seedAccount(ctx, pool, "large", *labels, 4, 20, 10, origins); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("seed: %d labels of the large account in %.1f s\n", *labels, time.Since(t0).Seconds())
	}
	if *others > 0 && *per > 0 {
		t0 := time.Now()
		for i := 0; i < *others; i++ {
			if err := seedAccount(ctx, pool, fmt.Sprintf("other%d", i), *per, 1, 1, 0, origins); err != nil {
				log.Fatal(err)
			}
		}
		fmt.Printf("seed: %d accounts x %d labels in %.1f s\n", *others, *per, time.Since(t0).Seconds())
	}
	if *originZIPs > 0 && *per > 0 {
		t0 := time.Now()
		for i := 0; i < *originZIPs; i++ {
			if err := seedAccount(ctx, pool, fmt.Sprintf("office%d", i), *per, 1, 1, 0, []string{benchZIP(i)}); err != nil {
				log.Fatal(err)
			}
		}
		fmt.Printf("seed: %d origin ZIPs x %d labels in %.1f s\n", *originZIPs, *per, time.Since(t0).Seconds())
	}
	if *labels > 0 || *others > 0 || *originZIPs > 0 {
		// The labels were COPYed past the purchase path: sum them into the rollup.
		if err := metering.RebuildSpendRollup(ctx, pool); err != nil {
			log.Fatal(err)
		}
		if _, err := pool.Exec(ctx, `ANALYZE`); err != nil {
			log.Fatal(err)
		}
	}
	if *bench {
		if err := runBench(ctx, pool, *iters); err != nil {
			log.Fatal(err)
		}
	}
	if *postalBench {
		if err := runPostalBench(ctx, pool, *iters); err != nil {
			log.Fatal(err)
		}
	}
}

// seedAccount creates an account with its meters, users and cost codes and
// COPYs n labels (and their purchases) spread over the last three years.
func seedAccount(ctx context.Context, pool *pgxpool.Pool, name string, n, meters, users, costCodes int, origins []string) error {
	now := time.Now().UTC()
	var acct int64
	if err := pool.QueryRow(ctx, `INSERT INTO master_accounts (company, address_line1, city, state, zip, origin_zip, created_at)
		VALUES ($1, '1 Main St', 'Stamford', 'CT', '06901', '06901', $2) RETURNING id`, "Bench "+name, now).Scan(&acct); err != nil {
		return fmt.Errorf("account: %w", err)
	}
	var userIDs, meterIDs, ccIDs []int64
	var meterZIP []string
	for i := 0; i < users; i++ {
		role := "mailer_user"
		if i == 0 {
			role = "mailer_owner"
		}
		var id int64
		if err := pool.QueryRow(ctx, `INSERT INTO users (account_id, email, name, password_hash, role, permissions, created_at, updated_at)
			VALUES ($1, $2, $3, 'x', $4, '{buy_postage}', $5, $5) RETURNING id`, acct, fmt.Sprintf("u%d@%s.bench.test", i, name),
			fmt.Sprintf("User %d", i), role, now).Scan(&id); err != nil {
			return fmt.Errorf("user: %w", err)
		}
		userIDs = append(userIDs, id)
	}
	for i := 0; i < meters; i++ {
		zip := origins[i%len(origins)]
		var id int64
		if err := pool.QueryRow(ctx, `INSERT INTO meters (serial, mfg_number, account_id, origin_zip, status, ar, dr, piece_count, counter,
			wrapped_key, key_version, mac_version, mac, cert_pem, created_at, updated_at)
			VALUES ('B' || nextval('meter_serial_seq'), 'BENCH', $1, $2, 'active', 0, 0, 0, 0, '\x00', 1, 'bench', '\x00', '', $3, $3) RETURNING id`,
			acct, zip, now).Scan(&id); err != nil {
			return fmt.Errorf("meter: %w", err)
		}
		meterIDs, meterZIP = append(meterIDs, id), append(meterZIP, zip)
	}
	for i := 0; i < costCodes; i++ {
		var id int64
		if err := pool.QueryRow(ctx, `INSERT INTO cost_codes (account_id, name, code, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
			acct, fmt.Sprintf("Department %d", i), fmt.Sprintf("D%d", i), now).Scan(&id); err != nil {
			return fmt.Errorf("cost code: %w", err)
		}
		ccIDs = append(ccIDs, id)
	}
	purchases := (n + piecesPerPurchase - 1) / piecesPerPurchase
	var firstPurchase int64
	if err := pool.QueryRow(ctx, `SELECT nextval('purchases_id_seq')`).Scan(&firstPurchase); err != nil {
		return err
	}
	if _, err := pool.Exec(ctx, `SELECT setval('purchases_id_seq', $1)`, firstPurchase+int64(purchases)); err != nil {
		return err
	}
	start := now.AddDate(-3, 0, 0)
	step := now.Sub(start) / time.Duration(purchases)
	r := rand.New(rand.NewPCG(uint64(acct), 7))
	type purchase struct {
		meter, user int
		at          time.Time
	}
	plan := make([]purchase, purchases)
	for i := range plan {
		plan[i] = purchase{meter: r.IntN(len(meterIDs)), user: r.IntN(len(userIDs)), at: start.Add(time.Duration(i) * step)}
	}
	i := 0
	_, err := pool.CopyFrom(ctx, pgx.Identifier{"purchases"},
		[]string{"id", "public_id", "account_id", "meter_id", "user_id", "request_hash", "pieces", "postage", "created_at"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == len(plan) {
				return nil, nil
			}
			p := plan[i]
			id := firstPurchase + int64(i)
			i++
			return []any{id, fmt.Sprintf("p%s%d", name, id), acct, meterIDs[p.meter], userIDs[p.user], []byte{0}, piecesPerPurchase, int64(500), p.at}, nil
		}))
	if err != nil {
		return fmt.Errorf("copy purchases: %w", err)
	}
	blob := make([]byte, 160)
	pieceNo := make([]int64, len(meterIDs))
	k := 0
	_, err = pool.CopyFrom(ctx, pgx.Identifier{"indicia"},
		[]string{"public_id", "purchase_id", "meter_id", "account_id", "piece_number", "mailing_date", "postage", "origin_zip", "dest_zip", "mail_class",
			"recipient", "data", "status", "voided_at", "created_at", "void_reason", "used_at", "cost_code_id", "user_id"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if k == n {
				return nil, nil
			}
			pi := k / piecesPerPurchase
			p := plan[pi]
			pieceNo[p.meter]++
			var idb [8]byte
			binary.BigEndian.PutUint64(idb[:], uint64(acct)<<40|uint64(k))
			k++
			class := classes[r.IntN(len(classes))]
			postage := int64(55 + r.IntN(200))
			if class != "FCM_LETTER" {
				postage = int64(500 + r.IntN(3000))
			}
			first, last := firsts[r.IntN(len(firsts))], lasts[r.IntN(len(lasts))]
			dest := dests[r.IntN(len(dests))]
			rec, _ := json.Marshal(metering.Recipient{Name: first + " " + last,
				Lines:        []string{first + " " + last, fmt.Sprintf("%d %s", 1+r.IntN(9999), streets[r.IntN(len(streets))]), "SOMEWHERE ST " + dest},
				Standardized: "x"})
			mailing := p.at.AddDate(0, 0, r.IntN(4))
			status, reason := "issued", ""
			var voidedAt, usedAt any
			switch x := r.IntN(100); {
			case x < 4:
				status, reason, voidedAt = "voided", metering.VoidByMailer, p.at.Add(time.Hour)
			case x < 5:
				status, reason, voidedAt = "voided", metering.VoidSubmittedForRefund, p.at.AddDate(0, 0, 60)
			case x < 90:
				usedAt = p.at.AddDate(0, 0, 2)
			}
			var cc any
			if len(ccIDs) > 0 && r.IntN(10) < 8 {
				cc = ccIDs[r.IntN(len(ccIDs))]
			}
			return []any{"g" + strings.ToLower(fmt.Sprintf("%x", idb)), firstPurchase + int64(pi), meterIDs[p.meter], acct, pieceNo[p.meter],
				mailing, postage, meterZIP[p.meter], dest, class, rec, blob, status, voidedAt, p.at, reason, usedAt, cc, userIDs[p.user]}, nil
		}))
	if err != nil {
		return fmt.Errorf("copy indicia: %w", err)
	}
	return nil
}

// benchCase is one kind of page: a filter (drawn afresh per query) and
// whether to start from a cursor deep in the history.
type benchCase struct {
	name   string
	filter func(r *rand.Rand) metering.LabelFilter
	deep   bool
}

func runBench(ctx context.Context, pool *pgxpool.Pool, iters int) error {
	var acct, owner, total int64
	if err := pool.QueryRow(ctx, `SELECT account_id, count(*) FROM indicia GROUP BY account_id ORDER BY count(*) DESC LIMIT 1`).Scan(&acct, &total); err != nil {
		return fmt.Errorf("largest account: %w", err)
	}
	if err := pool.QueryRow(ctx, `SELECT id FROM users WHERE account_id = $1 AND role = 'mailer_owner'`, acct).Scan(&owner); err != nil {
		return err
	}
	var all int64
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM indicia`).Scan(&all); err != nil {
		return err
	}
	actor := accounts.User{ID: owner, AccountID: acct, Role: accounts.RoleOwner}
	svc := metering.New(pool, nil, metering.Options{})
	ch, err := svc.LabelFilterChoices(ctx, actor)
	if err != nil {
		return err
	}
	var userIDs []int64
	rows, _ := pool.Query(ctx, `SELECT id FROM users WHERE account_id = $1`, acct)
	if userIDs, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
		return err
	}
	var someLabel string
	if err := pool.QueryRow(ctx, `SELECT public_id FROM indicia WHERE account_id = $1 ORDER BY id LIMIT 1 OFFSET 12345`, acct).Scan(&someLabel); err != nil {
		return err
	}
	now := time.Now().UTC()
	month := func(r *rand.Rand) (time.Time, time.Time) {
		from := now.AddDate(0, -1-r.IntN(34), 0)
		return from, from.AddDate(0, 1, 0)
	}
	pick := func(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }
	cases := []benchCase{
		{"first page, newest first", func(*rand.Rand) metering.LabelFilter { return metering.LabelFilter{} }, false},
		{"a page deep in the history (cursor)", func(*rand.Rand) metering.LabelFilter { return metering.LabelFilter{} }, true},
		{"first page, highest postage first", func(*rand.Rand) metering.LabelFilter { return metering.LabelFilter{Sort: metering.SortPostageDesc} }, false},
		{"first page, oldest first", func(*rand.Rand) metering.LabelFilter { return metering.LabelFilter{Sort: metering.SortDateAsc} }, false},
		{"purchase date: one month", func(r *rand.Rand) metering.LabelFilter {
			f, t := month(r)
			return metering.LabelFilter{PurchasedFrom: f, PurchasedTo: t}
		}, false},
		{"mailing date: one month", func(r *rand.Rand) metering.LabelFilter {
			f, t := month(r)
			return metering.LabelFilter{MailedFrom: f, MailedTo: t}
		}, false},
		{"meter", func(r *rand.Rand) metering.LabelFilter {
			return metering.LabelFilter{MeterID: ch.Meters[r.IntN(len(ch.Meters))].ID}
		}, false},
		{"user (1 of 20)", func(r *rand.Rand) metering.LabelFilter {
			return metering.LabelFilter{UserID: userIDs[r.IntN(len(userIDs))]}
		}, false},
		{"cost code (1 of 10)", func(r *rand.Rand) metering.LabelFilter {
			return metering.LabelFilter{CostCodeID: ch.CostCodes[r.IntN(len(ch.CostCodes))].ID}
		}, false},
		{"mail class", func(r *rand.Rand) metering.LabelFilter { return metering.LabelFilter{MailClass: pick(r, classes)} }, false},
		{"status issued (10%)", func(*rand.Rand) metering.LabelFilter { return metering.LabelFilter{Status: metering.ListIssued} }, false},
		{"status used (85%)", func(*rand.Rand) metering.LabelFilter { return metering.LabelFilter{Status: metering.ListUsed} }, false},
		{"status voided (4%)", func(*rand.Rand) metering.LabelFilter { return metering.LabelFilter{Status: metering.ListVoided} }, false},
		{"status refunded (1%)", func(*rand.Rand) metering.LabelFilter { return metering.LabelFilter{Status: metering.ListRefunded} }, false},
		{"origin ZIP", func(r *rand.Rand) metering.LabelFilter { return metering.LabelFilter{OriginZIP: pick(r, origins)} }, false},
		{"recipient text (a surname)", func(r *rand.Rand) metering.LabelFilter {
			return metering.LabelFilter{Recipient: strings.ToLower(pick(r, lasts))}
		}, false},
		{"recipient text (no match)", func(r *rand.Rand) metering.LabelFilter {
			return metering.LabelFilter{Recipient: fmt.Sprintf("zz%d", r.IntN(1000))}
		}, false},
		{"label id", func(*rand.Rand) metering.LabelFilter { return metering.LabelFilter{LabelID: someLabel} }, false},
		{"status voided, lowest postage first", func(*rand.Rand) metering.LabelFilter {
			return metering.LabelFilter{Status: metering.ListVoided, Sort: metering.SortPostageAsc}
		}, false},
		{"class + refunded, lowest postage first", func(r *rand.Rand) metering.LabelFilter {
			return metering.LabelFilter{MailClass: pick(r, classes), Status: metering.ListRefunded, Sort: metering.SortPostageAsc}
		}, false},
		{"class + status + one month, by postage", func(r *rand.Rand) metering.LabelFilter {
			f, t := month(r)
			return metering.LabelFilter{MailClass: "PRIORITY", Status: metering.ListUsed, PurchasedFrom: f, PurchasedTo: t, Sort: metering.SortPostageDesc}
		}, false},
	}
	// Cursors deep in the history: walk it once in pages of 500, keep every 20th.
	var deep []string
	cursor := ""
	for p := 0; p < 1000; p++ {
		lp, err := svc.ListLabels(ctx, actor, metering.LabelFilter{}, cursor, 500)
		if err != nil {
			return err
		}
		if lp.Next == "" {
			break
		}
		cursor = lp.Next
		if p%20 == 0 {
			deep = append(deep, cursor)
		}
	}
	fmt.Printf("bench: largest account %d labels, database %d labels, %d queries per case, page size 50\n", total, all, iters)
	fmt.Println("| page | p50 ms | p95 ms | max ms |")
	fmt.Println("|---|---:|---:|---:|")
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range cases {
		var ds []time.Duration
		for i := 0; i < iters; i++ {
			f := c.filter(r)
			cur := ""
			if c.deep && len(deep) > 0 {
				cur = deep[r.IntN(len(deep))]
			}
			t0 := time.Now()
			if _, err := svc.ListLabels(ctx, actor, f, cur, 50); err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			ds = append(ds, time.Since(t0))
		}
		slices.Sort(ds)
		ms := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }
		fmt.Printf("| %s | %s | %s | %s |\n", c.name, ms(ds[len(ds)/2]), ms(ds[len(ds)*95/100]), ms(ds[len(ds)-1]))
	}
	return nil
}
