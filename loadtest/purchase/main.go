// Command purchase is the load driver for the purchase path: it
// creates accounts with funded meters and API keys in the database of a
// running Indicia (serve + box), then sends one-label POST /api/v1/labels
// requests from 32 concurrent clients, spread over random meters or all on
// one hot meter, and prints throughput and latency percentiles.
// loadtest/purchase.sh runs it next to pgbench and records both.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"time"

	"indicia/accounts"
	"indicia/db"
	"indicia/loadtest/internal/drive"
	"indicia/metering"
	"indicia/metering/box"

	"github.com/redis/go-redis/v9"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:18081", "server base URL")
	meters := flag.Int("meters", 200, "accounts (one meter each) for the random-meter run")
	clients := flag.Int("clients", 32, "concurrent clients")
	dur := flag.Duration("duration", 15*time.Second, "length of each run")
	mode := flag.String("mode", "random", "random or hot")
	keyFile := flag.String("keys", "", "reuse the API keys in this file (one per line) or save the new ones there")
	flag.Parse()
	ctx := context.Background()
	pool, err := db.Open(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	opt, _ := redis.ParseURL(os.Getenv("REDIS_URL"))
	rdb := redis.NewClient(opt)
	bx, err := box.Dial(os.Getenv("BOX_SOCKET"))
	if err != nil {
		log.Fatal(err)
	}
	acc, err := accounts.New(pool, rdb, accounts.Options{RedisPrefix: "load:", Pepper: bx})
	if err != nil {
		log.Fatal(err)
	}
	met := metering.New(pool, bx, metering.Options{})
	n := *meters
	if *mode == "hot" {
		n = 1
	}
	keys := make([]string, n)
	if *keyFile != "" {
		if b, err := os.ReadFile(*keyFile); err == nil && len(strings.Fields(string(b))) >= n {
			keys = strings.Fields(string(b))[:n]
		}
	}
	stamp := time.Now().UnixNano()
	for i := range keys {
		if keys[i] != "" {
			continue
		}
		owner, a, err := acc.SignUp(ctx, accounts.SignUpInput{Name: "Load Tester", Company: "Load Co", Email: fmt.Sprintf("load%d-%d@example.com", stamp, i),
			Password: "load test password", Address: accounts.Address{Line1: "1 Main St", City: "Stamford", State: "CT", ZIP: "06901"}})
		if err == nil {
			err = acc.MarkEmailVerified(ctx, owner.ID)
		}
		if err != nil {
			log.Fatal(err)
		}
		m, err := met.Provision(ctx, a.ID, a.OriginZIP)
		if err == nil {
			_, err = met.Credit(ctx, accounts.System, m.ID, 100_000_000, metering.CreditAdmin, "")
		}
		if err != nil {
			log.Fatal(err)
		}
		if _, keys[i], err = acc.CreateAPIKey(ctx, owner, "load", []string{"buy_postage"}); err != nil {
			log.Fatal(err)
		}
	}
	if *keyFile != "" {
		if err := os.WriteFile(*keyFile, []byte(strings.Join(keys, "\n")+"\n"), 0o600); err != nil {
			log.Fatal(err)
		}
	}
	body := []byte(`{"pieces":[{"postage":78,"mail_class":"FCM_LETTER","dest_zip":"20500","recipient":{"name":"Ann Lee","address":"1600 Pennsylvania Ave NW, Washington DC 20500"}}]}`)
	res := drive.Run(*clients, *dur, func(rng *rand.Rand) *http.Request {
		req, _ := http.NewRequest("POST", *base+"/api/v1/labels", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+keys[rng.IntN(len(keys))])
		// The API refuses JSON sent under another media type (415).
		req.Header.Set("Content-Type", "application/json")
		return req
	})
	fmt.Printf("mode=%s meters=%d %s\n", *mode, n, res)
}
