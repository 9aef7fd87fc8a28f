package accounts

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"indicia/db/dbtest"
)

// TestAPIKeyInvalidationReachesAnotherServeAfterRedisFailover: two serves
// reach Redis through Sentinel; after the master fails over, a key revoked
// on one stops working on the other, which had it cached.
func TestAPIKeyInvalidationReachesAnotherServeAfterRedisFailover(t *testing.T) {
	s := dbtest.StartSentinel(t)
	url := dbtest.NewURL(t)
	serve := func(n int) *Service {
		rdb := s.Client(t, fmt.Sprintf("serve%d", n))
		svc, err := New(openPool(t, url), rdb, Options{APIKeyCacheTTL: cacheTTL, RedisPrefix: "failover:"})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Go(func() { svc.WatchAPIKeyInvalidations(ctx) })
		t.Cleanup(func() { cancel(); wg.Wait() })
		dbtest.WaitFor(t, 5*time.Second, "the invalidation watcher to subscribe", svc.apiKeyCacheLive)
		return svc
	}
	a, b := serve(1), serve(2)
	ctx := context.Background()
	owner := cacheSignUp(t, a, "failover@example.com")
	k, secret, err := a.CreateAPIKey(ctx, owner, "robot", []string{"buy_postage"})
	if err != nil {
		t.Fatal(err)
	}
	mustAuth(t, a, secret)
	mustAuth(t, b, secret)
	if b.apiKeyCacheLen() != 1 {
		t.Fatalf("B caches %d keys, want 1", b.apiKeyCacheLen())
	}

	s.Failover(t)

	if err := a.RevokeAPIKey(ctx, owner, k.ID); err != nil {
		t.Fatal(err)
	}
	// B's subscription may still sit on the demoted master: its watcher's
	// probe finds that out within two ping intervals and turns the cache off.
	eventuallyRefusedWithin(t, b, secret, "key revoked after a Redis failover", 3*apiKeyPingEvery)
	// Once B has subscribed on the new master, its cache serves again and
	// later invalidations still reach it.
	dbtest.WaitFor(t, 30*time.Second, "B to subscribe on the new master", b.apiKeyCacheLive)
	k2, secret2, err := a.CreateAPIKey(ctx, owner, "robot two", []string{"buy_postage"})
	if err != nil {
		t.Fatal(err)
	}
	mustAuth(t, b, secret2)
	dbtest.WaitFor(t, 5*time.Second, "B to cache the new key", func() bool { return b.apiKeyCacheLen() == 1 })
	if err := a.RevokeAPIKey(ctx, owner, k2.ID); err != nil {
		t.Fatal(err)
	}
	eventuallyRefused(t, b, secret2, "key revoked on the new master")
}
