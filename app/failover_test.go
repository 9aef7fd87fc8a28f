package app_test

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"indicia/app"
	"indicia/db/dbtest"
	"indicia/metering/meteringtest"
)

// startSentinel runs a real Redis Sentinel that monitors the test Redis
// under name, and returns its address.
func startSentinel(t *testing.T, name string) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not installed; scripts/services.sh installs it")
	}
	opt, err := redis.ParseURL(os.Getenv("REDIS_URL"))
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(opt.Addr)
	dir := t.TempDir()
	sp := dbtest.FreePort(t)
	conf := filepath.Join(dir, "sentinel.conf")
	body := fmt.Sprintf("bind 127.0.0.1\nport %d\ndir %s\nsentinel monitor %s %s %s 1\n", sp, dir, name, host, port)
	if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, conf, "--sentinel")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := fmt.Sprintf("127.0.0.1:%d", sp)
	s := redis.NewSentinelClient(&redis.Options{Addr: addr})
	defer s.Close()
	dbtest.WaitFor(t, 5*time.Second, "the Sentinel to know "+name, func() bool {
		_, err := s.GetMasterAddrByName(context.Background(), name).Result()
		return err == nil
	})
	return addr
}

// The cluster settings, as make cluster sets them: a DATABASE_URL naming a
// host that is down before the one that answers, a replica URL, and Redis
// found through a Sentinel. New must reach all of them.
func TestClusterSettings(t *testing.T) {
	bx := meteringtest.Start(t)
	_, prefix := dbtest.Redis(t)
	primary, err := url.Parse(dbtest.NewURL(t))
	if err != nil {
		t.Fatal(err)
	}
	dead := fmt.Sprintf("127.0.0.1:%d", dbtest.FreePort(t))
	multi := *primary
	multi.Host = dead + "," + primary.Host
	q := multi.Query()
	q.Set("target_session_attrs", "read-write")
	multi.RawQuery = q.Encode()
	name := "indicia-test-" + strings.TrimSuffix(strings.TrimPrefix(prefix, "test:"), ":")
	sentinel := startSentinel(t, name)

	cfg := testConfig(t, map[string]string{"DATABASE_URL": multi.String(), "DATABASE_REPLICA_URL": primary.String(),
		"BOX_SOCKET": bx.Socket, "REDIS_PREFIX": prefix, "REDIS_SENTINELS": sentinel, "REDIS_MASTER_NAME": name})
	a, err := app.New(context.Background(), cfg, app.Options{Migrate: true})
	if err != nil {
		t.Fatalf("New with a dead first host, a replica and a Sentinel: %v", err)
	}
	defer a.Close()
	if a.ReadPool == a.Pool {
		t.Error("DATABASE_REPLICA_URL did not open a pool of its own")
	}
	var readOnly bool
	if err := a.Pool.QueryRow(context.Background(), "SELECT pg_is_in_recovery()").Scan(&readOnly); err != nil || readOnly {
		t.Errorf("the pool is not on a read-write server: in recovery %v, %v", readOnly, err)
	}
	if err := a.ReadPool.Ping(context.Background()); err != nil {
		t.Errorf("replica pool: %v", err)
	}
	key := prefix + "sentinel-probe"
	if err := a.Redis.Set(context.Background(), key, "1", time.Minute).Err(); err != nil {
		t.Fatalf("Redis through the Sentinel: %v", err)
	}
	direct, _ := dbtest.Redis(t)
	if v, _ := direct.Get(context.Background(), key).Result(); v != "1" {
		t.Errorf("the Sentinel's master is not the Redis the test runs: read %q", v)
	}

	// A Sentinel that names no such master is an error at start, not a
	// process that fails on its first request.
	bad := testConfig(t, map[string]string{"DATABASE_URL": primary.String(), "BOX_SOCKET": bx.Socket,
		"REDIS_PREFIX": prefix, "REDIS_SENTINELS": sentinel, "REDIS_MASTER_NAME": "nobody-" + name})
	if b, err := app.New(context.Background(), bad, app.Options{}); err == nil {
		b.Close()
		t.Error("New accepted a master name the Sentinels do not know")
	} else if !strings.Contains(err.Error(), "Sentinels") {
		t.Errorf("the error does not say where it looked: %v", err)
	}
}
