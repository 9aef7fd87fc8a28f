package accounts

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"indicia/db/dbtest"
)

// failoverPort asks the kernel for a port nobody listens on.
func failoverPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startRedisProc runs redis-server with the given extra arguments until the
// test ends, and waits until it answers.
func startRedisProc(t *testing.T, bin string, port int, args ...string) {
	t.Helper()
	dir := t.TempDir()
	conf := filepath.Join(dir, "redis.conf")
	if err := os.WriteFile(conf, fmt.Appendf(nil, "bind 127.0.0.1\nport %d\ndir %s\nsave \"\"\nappendonly no\n", port, dir), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append([]string{conf}, args...)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	c := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", port)})
	defer c.Close()
	waitFor(t, 10*time.Second, "redis-server to answer", func() bool { return c.Ping(context.Background()).Err() == nil })
}

func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sentinelSetup is a Redis master, its replica and one Sentinel, all on
// free ports of this machine.
type sentinelSetup struct {
	name     string
	sentinel string
	replica  int
}

func startSentinelSetup(t *testing.T) sentinelSetup {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not installed; scripts/services.sh installs it")
	}
	master, replica, sp := failoverPort(t), failoverPort(t), failoverPort(t)
	startRedisProc(t, bin, master)
	startRedisProc(t, bin, replica, "--replicaof", "127.0.0.1", strconv.Itoa(master))
	name := "indicia-failover-test"
	dir := t.TempDir()
	conf := filepath.Join(dir, "sentinel.conf")
	body := fmt.Sprintf("bind 127.0.0.1\nport %d\ndir %s\nsentinel monitor %s 127.0.0.1 %d 1\nsentinel down-after-milliseconds %s 1000\nsentinel failover-timeout %s 5000\n",
		sp, dir, name, master, name, name)
	if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, conf, "--sentinel")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	s := sentinelSetup{name: name, sentinel: fmt.Sprintf("127.0.0.1:%d", sp), replica: replica}
	sc := redis.NewSentinelClient(&redis.Options{Addr: s.sentinel})
	t.Cleanup(func() { sc.Close() })
	ctx := context.Background()
	waitFor(t, 20*time.Second, "the Sentinel to see the replica in sync", func() bool {
		reps, err := sc.Replicas(ctx, name).Result()
		if err != nil || len(reps) == 0 {
			return false
		}
		return reps[0]["master-link-status"] == "ok" && reps[0]["flags"] == "slave"
	})
	return s
}

// failover asks the Sentinel to promote the replica and waits until it
// names the replica as master.
func (s sentinelSetup) failover(t *testing.T) {
	t.Helper()
	sc := redis.NewSentinelClient(&redis.Options{Addr: s.sentinel})
	defer sc.Close()
	ctx := context.Background()
	if err := sc.Failover(ctx, s.name).Err(); err != nil {
		t.Fatalf("SENTINEL FAILOVER: %v", err)
	}
	waitFor(t, 30*time.Second, "the replica to become master", func() bool {
		addr, err := sc.GetMasterAddrByName(ctx, s.name).Result()
		return err == nil && len(addr) == 2 && addr[1] == strconv.Itoa(s.replica)
	})
}

// TestAPIKeyInvalidationReachesAnotherServeAfterRedisFailover: two serves
// reach Redis through Sentinel; after the master fails over, a key revoked
// on one stops working on the other, which had it cached.
func TestAPIKeyInvalidationReachesAnotherServeAfterRedisFailover(t *testing.T) {
	s := startSentinelSetup(t)
	url := dbtest.NewURL(t)
	serve := func(n int) *Service {
		rdb := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: s.name, SentinelAddrs: []string{s.sentinel},
			ClientName: fmt.Sprintf("serve%d", n)})
		t.Cleanup(func() { rdb.Close() })
		svc, err := New(openPool(t, url), rdb, Options{APIKeyCacheTTL: cacheTTL, RedisPrefix: "failover:"})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Go(func() { svc.WatchAPIKeyInvalidations(ctx) })
		t.Cleanup(func() { cancel(); wg.Wait() })
		waitFor(t, 5*time.Second, "the invalidation watcher to subscribe", svc.apiKeyCacheLive)
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

	s.failover(t)

	if err := a.RevokeAPIKey(ctx, owner, k.ID); err != nil {
		t.Fatal(err)
	}
	// B's subscription may still sit on the demoted master: its watcher's
	// probe finds that out within two ping intervals and turns the cache off.
	eventuallyRefusedWithin(t, b, secret, "key revoked after a Redis failover", 3*apiKeyPingEvery)
	// Once B has subscribed on the new master, its cache serves again and
	// later invalidations still reach it.
	waitFor(t, 30*time.Second, "B to subscribe on the new master", b.apiKeyCacheLive)
	k2, secret2, err := a.CreateAPIKey(ctx, owner, "robot two", []string{"buy_postage"})
	if err != nil {
		t.Fatal(err)
	}
	mustAuth(t, b, secret2)
	waitFor(t, 5*time.Second, "B to cache the new key", func() bool { return b.apiKeyCacheLen() == 1 })
	if err := a.RevokeAPIKey(ctx, owner, k2.ID); err != nil {
		t.Fatal(err)
	}
	eventuallyRefused(t, b, secret2, "key revoked on the new master")
}
