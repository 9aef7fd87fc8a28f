package metering_test

import (
	"context"
	"sync"
	"testing"

	"indicia/accounts"
	"indicia/db/dbtest"
	"indicia/metering"
	"indicia/metering/meteringtest"
)

// Confirmations racing for the same new account leave it with one meter.
func TestProvisionFirstOnceUnderConcurrency(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	rdb, prefix := dbtest.Redis(t)
	acc, err := accounts.New(pool, rdb, accounts.Options{RedisPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	svc := metering.New(pool, meteringtest.Start(t).Client, metering.Options{})
	_, acct, err := acc.SignUp(ctx, accounts.SignUpInput{Name: "Mae Mailer", Company: "Mae Co", Email: "mae@example.com",
		Password: "long enough password", Address: accounts.Address{Line1: "1 Main St", City: "Stamford", State: "CT", ZIP: "06901"}})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	made := 0
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, ok, err := svc.ProvisionFirst(ctx, acct.ID, acct.OriginZIP)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				made++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	meters, err := svc.Meters(ctx, accounts.System, acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(meters) != 1 || made != 1 {
		t.Fatalf("%d meters, %d provisioned, want one", len(meters), made)
	}
}
