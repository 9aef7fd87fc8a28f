// Command coagen generates change-of-address lists and address books for the
// COA benchmark (loadtest/coa_bench.sh) and runs its timed steps:
//
//	coagen -gen-list 5000000 -out list.csv        # a CSV list
//	coagen -db URL -load list.csv                 # create, load (COPY) a list; prints the time
//	coagen -db URL -book 1000000 -seed-list 1000000 -match  # 1M book × 1M records, timed match
//	coagen -db URL -book 1000000 -seed-list 1000000         # seed only (a database to clone)
//	coagen -db URL -match                                   # time matching the newest list of a seeded database
//
// Row i of a list moves "FIRST LAST" from "i MAIN ST" to "i OAK AVE" in one of
// the ZIPs the embedded ZIP data confirms; book entry i lives at the old
// address, so every entry has exactly one move.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"indicia/accounts"
	"indicia/db"
	"indicia/hygiene/address"
	"indicia/hygiene/coa"
)

var (
	firsts = []string{"ROBERT", "MARY", "JOHN", "PATRICIA", "JAMES", "LINDA", "WILLIAM", "ELIZABETH", "DAVID", "BARBARA", "RICHARD", "SUSAN"}
	lasts  = []string{"SMITH", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "GARCIA", "MILLER", "DAVIS", "RODRIGUEZ", "MARTINEZ", "HERNANDEZ", "LOPEZ", "GONZALEZ"}
)

func main() {
	genList := flag.Int("gen-list", 0, "write a CSV list with this many rows to -out")
	out := flag.String("out", "coa.csv", "output file of -gen-list")
	dbURL := flag.String("db", "", "PostgreSQL URL (migrated here)")
	load := flag.String("load", "", "load this list file and time it")
	book := flag.Int("book", 0, "address-book entries to create for -match")
	seedList := flag.Int("seed-list", 0, "COA records to create for -match (via a generated file)")
	match := flag.Bool("match", false, "time matching the seeded list against every book")
	flag.Parse()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})))
	ctx := context.Background()
	c, err := address.New()
	if err != nil {
		log.Fatal(err)
	}
	zips := goodZIPs(c)
	if *genList > 0 {
		if err := writeList(*out, *genList, zips); err != nil {
			log.Fatal(err)
		}
		return
	}
	if *dbURL == "" {
		log.Fatal("-db is required")
	}
	pool, err := db.Open(ctx, *dbURL)
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	if _, err := db.Migrate(ctx, pool); err != nil {
		log.Fatal(err)
	}
	svc, err := coa.New(pool, c, coa.Options{WindowMonths: 48})
	if err != nil {
		log.Fatal(err)
	}
	staff := staffUser(ctx, pool)
	if *load != "" {
		t0 := time.Now()
		id := loadList(ctx, svc, staff, *load)
		fmt.Printf("load: list %d loaded in %.1f s\n", id, time.Since(t0).Seconds())
	}
	var listID int64
	if *book > 0 || *seedList > 0 {
		listID = seed(ctx, pool, c, svc, staff, *book, *seedList, zips)
	} else if *match {
		// A database seeded earlier (and cloned per run): match its newest
		// active list.
		lists, err := svc.Lists(ctx, staff, 100)
		if err != nil {
			log.Fatal(err)
		}
		for _, l := range lists {
			if l.Status == "active" {
				listID = l.ID
				break
			}
		}
		if listID == 0 {
			log.Fatal("coagen: no active list to match")
		}
	}
	if *match {
		t0 := time.Now()
		sum, err := svc.MatchLists(ctx, listID)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("match: %d entries looked at, %d new matches in %.1f s\n", sum.Entries, sum.NewMatches, time.Since(t0).Seconds())
	}
}

// seed creates book address-book entries and loads a list of n COA records
// moving them; it returns the list's id.
func seed(ctx context.Context, pool *pgxpool.Pool, c *address.Cleanser, svc *coa.Service, staff accounts.User, book, n int, zips []string) int64 {
	f, err := os.CreateTemp("", "coagen-*.csv")
	if err != nil {
		log.Fatal(err)
	}
	f.Close()
	defer os.Remove(f.Name())
	if err := writeList(f.Name(), n, zips); err != nil {
		log.Fatal(err)
	}
	t0 := time.Now()
	if err := seedBook(ctx, pool, c, book, zips); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("seed: %d book entries in %.1f s\n", book, time.Since(t0).Seconds())
	t0 = time.Now()
	id := loadList(ctx, svc, staff, f.Name())
	fmt.Printf("seed: %d COA records loaded in %.1f s\n", n, time.Since(t0).Seconds())
	return id
}

// goodZIPs are ZIPs whose addresses get a match key from the cleanser.
func goodZIPs(c *address.Cleanser) []string {
	var out []string
	for _, base := range []int{10001, 6901, 60601, 90001, 2108, 94102, 33101, 77001} {
		for z := base; z < base+40 && len(out) < 200; z++ {
			zip := fmt.Sprintf("%05d", z)
			if r := c.Cleanse("1 Main St\n" + zip); r.Key() != "" && r.ZIP == zip {
				out = append(out, zip)
			}
		}
	}
	if len(out) == 0 {
		log.Fatal("coagen: no ZIP gives a match key")
	}
	return out
}

func person(i int) (first, last string) {
	return firsts[i%len(firsts)], lasts[(i/len(firsts))%len(lasts)]
}

func writeList(path string, n int, zips []string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "move_type,first_name,middle,last_name,firm,old_line1,old_line2,old_city,old_state,old_zip,new_line1,new_line2,new_city,new_state,new_zip,move_effective_date,moved_left_no_address,po_box_closed")
	for i := range n {
		first, last := person(i)
		zip := zips[i%len(zips)]
		fmt.Fprintf(w, "individual,%s,,%s,,%d Main St,,,,%s,%d Oak Ave,,,,%s,2026-%02d,,\n", first, last, i+1, zip, i+1, zips[(i+7)%len(zips)], 1+i%9)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

func staffUser(ctx context.Context, pool *pgxpool.Pool) accounts.User {
	var id int64
	err := pool.QueryRow(ctx, `INSERT INTO users (email, name, password_hash, role, created_at, updated_at)
		VALUES ('coa-bench-' || md5(random()::text) || '@example.com', 'Bench Staff', 'x', 'postal_staff', now(), now()) RETURNING id`).Scan(&id)
	if err != nil {
		log.Fatal(err)
	}
	return accounts.User{ID: id, Role: accounts.RoleStaff}
}

func loadList(ctx context.Context, svc *coa.Service, staff accounts.User, path string) int64 {
	l, _, err := svc.CreateList(ctx, staff, coa.COAListInput{Source: "benchmark", Filename: path, Path: path})
	if err != nil {
		log.Fatal(err)
	}
	sum, err := svc.ImportList(ctx, l.ID, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("load: %d rows, %d loaded, %d bad\n", sum.Total, sum.Loaded, sum.Bad)
	return l.ID
}

// seedBook creates 100 accounts sharing n entries, at the lists' old addresses.
func seedBook(ctx context.Context, pool *pgxpool.Pool, c *address.Cleanser, n int, zips []string) error {
	const accountsN = 100
	ids := make([]int64, accountsN)
	for i := range ids {
		if err := pool.QueryRow(ctx, `INSERT INTO master_accounts (company, address_line1, city, state, zip, origin_zip, created_at)
			VALUES ($1, '1 Main St', 'Stamford', 'CT', '06901', '06901', now()) RETURNING id`, fmt.Sprintf("Bench %d", i)).Scan(&ids[i]); err != nil {
			return err
		}
	}
	now := time.Now().UTC()
	i := 0
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i >= n {
			return nil, nil
		}
		first, last := person(i)
		zip := zips[i%len(zips)]
		line1 := fmt.Sprintf("%d MAIN ST", i+1)
		key := c.Cleanse(line1 + "\n" + zip).Key()
		row := []any{ids[i%accountsN], first + " " + last, line1, zip, "valid", key, now, now}
		i++
		return row, nil
	})
	_, err := pool.CopyFrom(ctx, pgx.Identifier{"address_book"}, []string{"account_id", "name", "line1", "zip", "status", "match_key", "created_at", "updated_at"}, src)
	if err != nil {
		return err
	}
	_, err = pool.Exec(ctx, `ANALYZE address_book`)
	return err
}
