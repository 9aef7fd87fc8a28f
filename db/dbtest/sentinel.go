package dbtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Sentinel is a Redis master, its replica and one Sentinel watching them,
// each a real redis-server on a free port of this machine, for tests that
// fail the master over. Unlike Redis, it is private to the test.
type Sentinel struct {
	Name    string // the master name the Sentinel knows
	Addr    string // the Sentinel's address
	Master  int    // port of the first master
	Replica int    // port of the replica a failover promotes
}

// StartSentinel starts the three processes, stops them when the test ends,
// and returns once the Sentinel sees the replica in sync.
func StartSentinel(t testing.TB) Sentinel {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not installed; scripts/services.sh installs it")
	}
	master, replica, sp := FreePort(t), FreePort(t), FreePort(t)
	startRedisProc(t, bin, master)
	startRedisProc(t, bin, replica, "--replicaof", "127.0.0.1", strconv.Itoa(master))
	name := "indicia-failover-" + randHex(4)
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
	s := Sentinel{Name: name, Addr: fmt.Sprintf("127.0.0.1:%d", sp), Master: master, Replica: replica}
	sc := redis.NewSentinelClient(&redis.Options{Addr: s.Addr})
	defer sc.Close()
	ctx := context.Background()
	WaitFor(t, 20*time.Second, "the Sentinel to see the replica in sync", func() bool {
		reps, err := sc.Replicas(ctx, name).Result()
		if err != nil || len(reps) == 0 {
			return false
		}
		return reps[0]["master-link-status"] == "ok" && reps[0]["flags"] == "slave"
	})
	return s
}

// Client is a go-redis failover client through the Sentinel, as a serve
// with REDIS_SENTINELS gets.
func (s Sentinel) Client(t testing.TB, clientName string) *redis.Client {
	rdb := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: s.Name, SentinelAddrs: []string{s.Addr}, ClientName: clientName})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// Synced waits until the replica has every write the master took, so a
// failover loses none of them (Redis replication is asynchronous).
func (s Sentinel) Synced(t testing.TB) {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", s.Master)})
	defer c.Close()
	n, err := c.Do(context.Background(), "WAIT", 1, 5000).Int()
	if err != nil || n < 1 {
		t.Fatalf("the replica did not acknowledge the master's writes: %d replicas, %v", n, err)
	}
}

// Failover asks the Sentinel to promote the replica and waits until it
// names the replica as master.
func (s Sentinel) Failover(t testing.TB) {
	t.Helper()
	sc := redis.NewSentinelClient(&redis.Options{Addr: s.Addr})
	defer sc.Close()
	ctx := context.Background()
	if err := sc.Failover(ctx, s.Name).Err(); err != nil {
		t.Fatalf("SENTINEL FAILOVER: %v", err)
	}
	WaitFor(t, 30*time.Second, "the replica to become master", func() bool {
		addr, err := sc.GetMasterAddrByName(ctx, s.Name).Result()
		return err == nil && len(addr) == 2 && addr[1] == strconv.Itoa(s.Replica)
	})
}

// WaitFor polls ok every 50 ms until it holds, failing the test after d.
func WaitFor(t testing.TB, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startRedisProc runs redis-server on port until the test ends, and waits
// until it answers.
func startRedisProc(t testing.TB, bin string, port int, args ...string) {
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
	WaitFor(t, 10*time.Second, "redis-server to answer", func() bool { return c.Ping(context.Background()).Err() == nil })
}

// FreePort asks the kernel for a port nobody listens on.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
