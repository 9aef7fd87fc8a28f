// Command floor measures what this machine allows the purchase path at most:
// the same 32-client HTTP load as loadtest/purchase,
// against servers that do only part of a purchase.
//
//	floor serve -level http   answers each POST with a label-sized 201, nothing else
//	floor serve -level sign   also makes the two ECDSA P-256 signatures of a piece
//	floor serve -level db     also group-commits pgbench's two statements (update
//	                          the meter row, insert the transaction row) for many
//	                          requests per transaction
//	floor load                the client: 32 clients, one request at a time each
//
// None of these is a purchase: no authentication, no address cleansing, no
// MAC, no freshness store, no box process, no purchase, indicium or ledger
// rows. Whatever rate they reach bounds the real path from above, on this
// machine. loadtest/floor.sh runs them next to pgbench.
package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"log"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"indicia/loadtest/internal/drive"
)

func main() {
	if len(os.Args) < 2 {
		log.Fatal("usage: floor serve|load [flags]")
	}
	switch os.Args[1] {
	case "serve":
		serve(os.Args[2:])
	case "load":
		load(os.Args[2:])
	default:
		log.Fatalf("floor: unknown command %q", os.Args[1])
	}
}

func serve(args []string) {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:18090", "listen address")
	level := fs.String("level", "http", "http, sign or db")
	meters := fs.Int("meters", 200, "meter rows (db level)")
	committers := fs.Int("committers", 2, "concurrent group-commit transactions (db level)")
	fs.Parse(args)

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	var gc *groupCommit
	if *level == "db" {
		ctx := context.Background()
		pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
		if err != nil {
			log.Fatal(err)
		}
		if err := setupTables(ctx, pool, *meters); err != nil {
			log.Fatal(err)
		}
		gc = &groupCommit{pool: pool, in: make(chan *commitReq, 4096)}
		for range *committers {
			go gc.run()
		}
	}
	app := fiber.New(fiber.Config{Immutable: true})
	app.Post("/api/v1/labels", func(c fiber.Ctx) error {
		var req struct {
			Pieces []struct {
				Postage int64  `json:"postage"`
				DestZIP string `json:"dest_zip"`
			} `json:"pieces"`
		}
		if err := c.Bind().JSON(&req); err != nil || len(req.Pieces) != 1 {
			return c.Status(fiber.StatusUnprocessableEntity).JSON(fiber.Map{"error": "one piece"})
		}
		p := req.Pieces[0]
		indicium, record := "", ""
		if *level != "http" {
			// The indicium and the transaction record: two signatures per piece.
			h1 := sha256.Sum256(fmt.Appendf(nil, "indicium %d %s %d", p.Postage, p.DestZIP, time.Now().UnixNano()))
			h2 := sha256.Sum256(fmt.Appendf(nil, "record %d %s %d", p.Postage, p.DestZIP, time.Now().UnixNano()))
			s1, err1 := ecdsa.SignASN1(rand.Reader, key, h1[:])
			s2, err2 := ecdsa.SignASN1(rand.Reader, key, h2[:])
			if err1 != nil || err2 != nil {
				return fiber.ErrInternalServerError
			}
			indicium, record = hex.EncodeToString(s1), hex.EncodeToString(s2)
		}
		if gc != nil {
			r := &commitReq{meter: 1 + mrand.IntN(*meters), amount: p.Postage, hash: []byte(record), done: make(chan error, 1)}
			if c.Get("X-Hot") != "" {
				r.meter = 1
			}
			gc.in <- r
			if err := <-r.done; err != nil {
				return fiber.ErrServiceUnavailable
			}
		}
		return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": "pur_floor", "replayed": false, "pieces": 1, "postage": p.Postage,
			"labels": []fiber.Map{{"id": "lbl_floor", "meter_serial": "IND00000001", "piece_number": 1, "postage": p.Postage,
				"mailing_date": time.Now().Format(time.DateOnly), "origin_zip": "06901", "dest_zip": p.DestZIP, "mail_class": "FCM_LETTER",
				"services": []string{}, "recipient": []string{"ANN LEE", "1600 PENNSYLVANIA AVE NW", "WASHINGTON DC 20500-0003"},
				"indicium": indicium, "record_signature": record, "status": "active"}}})
	})
	log.Fatal(app.Listen(*addr, fiber.ListenConfig{DisableStartupMessage: true}))
}

func setupTables(ctx context.Context, pool *pgxpool.Pool, meters int) error {
	_, err := pool.Exec(ctx, `DROP TABLE IF EXISTS floor_meters, floor_tx;
CREATE TABLE floor_meters (id int PRIMARY KEY, ar bigint NOT NULL, dr bigint NOT NULL, piece_count bigint NOT NULL, counter bigint NOT NULL, mac bytea);
CREATE TABLE floor_tx (id bigserial PRIMARY KEY, meter_id int NOT NULL, amount bigint NOT NULL, at timestamptz NOT NULL, hash bytea NOT NULL)`)
	if err == nil {
		_, err = pool.Exec(ctx, `INSERT INTO floor_meters SELECT g, 0, 100000000, 0, 0, '\x00' FROM generate_series(1, $1::int) g`, meters)
	}
	return err
}

type commitReq struct {
	meter  int
	amount int64
	hash   []byte
	done   chan error
}

// groupCommit is the cheapest durable form of the two statements for many
// requests: one transaction, one round trip (BEGIN, lock in id order,
// update, insert, COMMIT pipelined as one batch).
type groupCommit struct {
	pool *pgxpool.Pool
	in   chan *commitReq
}

func (g *groupCommit) run() {
	ctx := context.Background()
	for first := range g.in {
		group := []*commitReq{first}
	drain:
		for len(group) < 256 {
			select {
			case r := <-g.in:
				group = append(group, r)
			default:
				break drain
			}
		}
		sums := map[int]int64{}
		var ids []int32
		var amounts []int64
		var hashes [][]byte
		for _, r := range group {
			sums[r.meter] += r.amount
			ids, amounts, hashes = append(ids, int32(r.meter)), append(amounts, r.amount), append(hashes, r.hash)
		}
		var mids []int32
		var msum, mcount []int64
		for id, s := range sums {
			mids, msum = append(mids, int32(id)), append(msum, s)
		}
		slices.Sort(mids)
		for i, id := range mids {
			msum[i] = sums[int(id)]
			n := int64(0)
			for _, r := range group {
				if r.meter == int(id) {
					n++
				}
			}
			mcount = append(mcount, n)
		}
		b := &pgx.Batch{}
		b.Queue("BEGIN")
		b.Queue("SELECT id FROM floor_meters WHERE id = ANY($1) ORDER BY id FOR UPDATE", mids)
		b.Queue(`UPDATE floor_meters m SET ar = ar + u.s, dr = dr - u.s, piece_count = piece_count + u.n, counter = counter + 1, mac = '\x01'
FROM unnest($1::int[], $2::bigint[], $3::bigint[]) AS u(id, s, n) WHERE m.id = u.id`, mids, msum, mcount)
		b.Queue("INSERT INTO floor_tx (meter_id, amount, at, hash) SELECT * FROM unnest($1::int[], $2::bigint[], ARRAY[]::timestamptz[] || array_fill(now(), ARRAY[cardinality($1::int[])]), $3::bytea[])", ids, amounts, hashes)
		b.Queue("COMMIT")
		err := g.pool.SendBatch(ctx, b).Close()
		for _, r := range group {
			r.done <- err
		}
	}
}

func load(args []string) {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	url := fs.String("url", "http://127.0.0.1:18090/api/v1/labels", "purchase URL")
	clients := fs.Int("clients", 32, "concurrent clients")
	dur := fs.Duration("duration", 10*time.Second, "length of the run")
	hot := fs.Bool("hot", false, "every purchase on one meter (db level)")
	label := fs.String("label", "", "name printed with the result")
	fs.Parse(args)
	body := []byte(`{"pieces":[{"postage":78,"mail_class":"FCM_LETTER","dest_zip":"20500","recipient":{"name":"Ann Lee","address":"1600 Pennsylvania Ave NW, Washington DC 20500"}}]}`)
	res := drive.Run(*clients, *dur, func(*mrand.Rand) *http.Request {
		req, _ := http.NewRequest("POST", *url, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer floor")
		req.Header.Set("Content-Type", "application/json")
		if *hot {
			req.Header.Set("X-Hot", "1")
		}
		return req
	})
	fmt.Println(*label, res)
}
