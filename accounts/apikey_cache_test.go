package accounts

// Internal tests: they wait for the watcher's subscription through the cache's
// own state rather than by sleeping.

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"indicia/apperr"
	"indicia/db"
	"indicia/db/dbtest"
)

// cacheEnv is one database and one Redis prefix shared by several services,
// as several serve processes share them.
type cacheEnv struct {
	t      *testing.T
	url    string
	rdb    *redis.Client
	prefix string
	pool   *pgxpool.Pool // a direct connection for going behind the services' backs
	names  map[*Service]string
}

func newCacheEnv(t *testing.T) *cacheEnv {
	t.Helper()
	url := dbtest.NewURL(t)
	rdb, prefix := dbtest.Redis(t)
	return &cacheEnv{t: t, url: url, rdb: rdb, prefix: prefix, pool: openPool(t, url), names: map[*Service]string{}}
}

func openPool(t *testing.T, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := db.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// service builds a service with its own pool and Redis client; with watch, it
// runs the invalidation watcher and waits until the subscription is confirmed.
func (e *cacheEnv) service(opt Options, watch bool) *Service {
	t := e.t
	t.Helper()
	ro := *e.rdb.Options()
	ro.ClientName = fmt.Sprintf("%ssvc%d", e.prefix, len(e.names))
	rdb := redis.NewClient(&ro)
	t.Cleanup(func() { rdb.Close() })
	opt.RedisPrefix = e.prefix
	s, err := New(openPool(t, e.url), rdb, opt)
	if err != nil {
		t.Fatal(err)
	}
	e.names[s] = ro.ClientName
	if watch {
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Go(func() { s.WatchAPIKeyInvalidations(ctx) })
		t.Cleanup(func() { cancel(); wg.Wait() }) // runs before the pool and client close
		deadline := time.Now().Add(5 * time.Second)
		for !s.apiKeyCacheLive() {
			if time.Now().After(deadline) {
				t.Fatal("the invalidation watcher did not subscribe within 5 s")
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	return s
}

func (s *Service) apiKeyCacheLive() bool {
	s.apiKeys.mu.RLock()
	defer s.apiKeys.mu.RUnlock()
	return s.apiKeys.live
}

func (s *Service) apiKeyCacheLen() int {
	s.apiKeys.mu.RLock()
	defer s.apiKeys.mu.RUnlock()
	return len(s.apiKeys.m)
}

func cacheSignUp(t *testing.T, s *Service, email string) User {
	t.Helper()
	u, _, err := s.SignUp(context.Background(), SignUpInput{
		Name: "Ada Owner", Company: "Ada Mail Co", Email: email, Password: "correct horse battery",
		Address: Address{Line1: "10 Elm St", City: "Stamford", State: "ct", ZIP: "06901-1234"},
	})
	if err != nil {
		t.Fatalf("sign up %s: %v", email, err)
	}
	return u
}

// eventuallyRefused polls until s refuses secret: the pub/sub message takes a
// moment to arrive. Only the outcome is asserted, with a generous deadline.
func eventuallyRefused(t *testing.T, s *Service, secret, what string) {
	t.Helper()
	eventuallyRefusedWithin(t, s, secret, what, 3*time.Second)
}

func eventuallyRefusedWithin(t *testing.T, s *Service, secret, what string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		_, err := s.AuthenticateAPIKey(context.Background(), secret)
		if apperr.KindOf(err) == apperr.KindUnauthorized {
			return
		}
		if err != nil {
			t.Fatalf("%s: want unauthorized, got %v", what, err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: the key still authenticates on the other process after %s", what, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func mustAuth(t *testing.T, s *Service, secret string) User {
	t.Helper()
	u, err := s.AuthenticateAPIKey(context.Background(), secret)
	if err != nil {
		t.Fatalf("authenticate: %v", err)
	}
	return u
}

const cacheTTL = time.Minute

func TestAPIKeyRevokedOnOneProcessStopsOnAnotherWithACachedKey(t *testing.T) {
	env := newCacheEnv(t)
	a := env.service(Options{APIKeyCacheTTL: cacheTTL}, true)
	b := env.service(Options{APIKeyCacheTTL: cacheTTL}, true)
	ctx := context.Background()
	owner := cacheSignUp(t, a, "revoke@example.com")
	k, secret, err := a.CreateAPIKey(ctx, owner, "robot", []string{"buy_postage"})
	if err != nil {
		t.Fatal(err)
	}
	u := mustAuth(t, b, secret)
	if !u.Can(PermBuyPostage) || u.Can(PermManageFunds) {
		t.Errorf("cached actor %+v: want buy_postage only", u)
	}
	mustAuth(t, b, secret)
	if b.apiKeyCacheLen() != 1 {
		t.Fatalf("B caches %d keys, want 1", b.apiKeyCacheLen())
	}
	if err := a.RevokeAPIKey(ctx, owner, k.ID); err != nil {
		t.Fatal(err)
	}
	// A cleared its own cache synchronously.
	if _, err := a.AuthenticateAPIKey(ctx, secret); apperr.KindOf(err) != apperr.KindUnauthorized {
		t.Errorf("revoking process: want unauthorized at once, got %v", err)
	}
	eventuallyRefused(t, b, secret, "revoked key")
}

func TestDisablingOrNarrowingAKeyCreatorReachesAnotherProcessCache(t *testing.T) {
	env := newCacheEnv(t)
	a := env.service(Options{APIKeyCacheTTL: cacheTTL}, true)
	b := env.service(Options{APIKeyCacheTTL: cacheTTL}, true)
	ctx := context.Background()
	owner := cacheSignUp(t, a, "boss@example.com")
	clerk, _, err := a.InviteUser(ctx, owner, InviteInput{Email: "clerk@example.com", Name: "Clerk",
		Permissions: []string{"buy_postage", "manage_users"}})
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := a.CreateAPIKey(ctx, clerk, "clerk robot", []string{"buy_postage"})
	if err != nil {
		t.Fatal(err)
	}
	if u := mustAuth(t, b, secret); !u.Can(PermBuyPostage) {
		t.Fatalf("key actor %+v lacks buy_postage", u)
	}

	// Taking buy_postage from the creator narrows the cached key on B.
	if _, err := a.UpdateUser(ctx, owner, clerk.ID, UpdateInput{Name: "Clerk", Permissions: []string{"manage_users"}}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for mustAuth(t, b, secret).Can(PermBuyPostage) {
		if time.Now().After(deadline) {
			t.Fatal("B still grants buy_postage 3 s after the creator lost it")
		}
		time.Sleep(10 * time.Millisecond)
	}

	if err := a.SetDisabled(ctx, owner, clerk.ID, true); err != nil {
		t.Fatal(err)
	}
	eventuallyRefused(t, b, secret, "key of a disabled creator")

	if err := a.SetDisabled(ctx, owner, clerk.ID, false); err != nil {
		t.Fatal(err)
	}
	mustAuth(t, b, secret)
	if err := a.DeleteUser(ctx, owner, clerk.ID); err != nil {
		t.Fatal(err)
	}
	eventuallyRefused(t, b, secret, "key of a deleted creator")
}

func TestCachedPrefixWithAWrongSecretIsRefused(t *testing.T) {
	env := newCacheEnv(t)
	s := env.service(Options{APIKeyCacheTTL: cacheTTL}, true)
	ctx := context.Background()
	owner := cacheSignUp(t, s, "wrong@example.com")
	_, secret, err := s.CreateAPIKey(ctx, owner, "robot", []string{"buy_postage"})
	if err != nil {
		t.Fatal(err)
	}
	mustAuth(t, s, secret)
	if s.apiKeyCacheLen() != 1 {
		t.Fatalf("cache holds %d keys, want 1", s.apiKeyCacheLen())
	}
	last := secret[len(secret)-1]
	forged := secret[:len(secret)-1] + map[bool]string{true: "B", false: "A"}[last == 'A']
	for _, bad := range []string{forged, secret + "x", secret[:len(secret)-1]} {
		if _, err := s.AuthenticateAPIKey(ctx, bad); apperr.KindOf(err) != apperr.KindUnauthorized {
			t.Errorf("cached prefix, wrong secret %q: want unauthorized, got %v", bad, err)
		}
	}
	mustAuth(t, s, secret)
}

func TestCachedKeySkipsTheDatabaseUntilInvalidated(t *testing.T) {
	env := newCacheEnv(t)
	a := env.service(Options{APIKeyCacheTTL: cacheTTL}, true)
	b := env.service(Options{APIKeyCacheTTL: cacheTTL}, true)
	uncached := env.service(Options{}, false)
	ctx := context.Background()
	owner := cacheSignUp(t, a, "hit@example.com")
	k, secret, err := a.CreateAPIKey(ctx, owner, "robot", []string{"buy_postage"})
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := a.CreateAPIKey(ctx, owner, "other robot", nil)
	if err != nil {
		t.Fatal(err)
	}
	mustAuth(t, b, secret)
	// Behind the cache's back: no invalidation is published.
	if _, err := env.pool.Exec(ctx, `DELETE FROM api_keys WHERE id = $1`, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := uncached.AuthenticateAPIKey(ctx, secret); apperr.KindOf(err) != apperr.KindUnauthorized {
		t.Fatalf("without the cache the deleted key: want unauthorized, got %v", err)
	}
	for range 3 {
		if u := mustAuth(t, b, secret); u.ID != owner.ID || !u.Can(PermBuyPostage) {
			t.Fatalf("cached actor %+v", u)
		}
	}
	// Any invalidation clears every entry, here the revocation of another key.
	if err := a.RevokeAPIKey(ctx, owner, other.ID); err != nil {
		t.Fatal(err)
	}
	eventuallyRefused(t, b, secret, "deleted key after an invalidation")
}

func TestAPIKeyCacheServesNoHitsWithoutTheSubscription(t *testing.T) {
	env := newCacheEnv(t)
	s := env.service(Options{APIKeyCacheTTL: cacheTTL}, false) // no watcher
	ctx := context.Background()
	owner := cacheSignUp(t, s, "nowatch@example.com")
	k, secret, err := s.CreateAPIKey(ctx, owner, "robot", []string{"buy_postage"})
	if err != nil {
		t.Fatal(err)
	}
	mustAuth(t, s, secret)
	if n := s.apiKeyCacheLen(); n != 0 {
		t.Errorf("unsubscribed cache stored %d keys", n)
	}
	if _, err := env.pool.Exec(ctx, `DELETE FROM api_keys WHERE id = $1`, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AuthenticateAPIKey(ctx, secret); apperr.KindOf(err) != apperr.KindUnauthorized {
		t.Errorf("unsubscribed cache: want the database's answer (unauthorized), got %v", err)
	}
}

func TestAPIKeyCacheLostSubscriptionStopsHits(t *testing.T) {
	env := newCacheEnv(t)
	s := env.service(Options{APIKeyCacheTTL: cacheTTL}, true)
	ctx := context.Background()
	owner := cacheSignUp(t, s, "lost@example.com")
	k, secret, err := s.CreateAPIKey(ctx, owner, "robot", []string{"buy_postage"})
	if err != nil {
		t.Fatal(err)
	}
	mustAuth(t, s, secret)
	if _, err := env.pool.Exec(ctx, `DELETE FROM api_keys WHERE id = $1`, k.ID); err != nil {
		t.Fatal(err)
	}
	mustAuth(t, s, secret) // cached
	// Kill the watcher's connection (only it) as a Redis restart or network cut would.
	clients, err := env.rdb.ClientList(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	killed := 0
	for line := range strings.Lines(clients) {
		f := map[string]string{}
		for kv := range strings.FieldsSeq(line) {
			k, v, _ := strings.Cut(kv, "=")
			f[k] = v
		}
		if f["name"] == env.names[s] && f["sub"] != "0" && f["sub"] != "" {
			if err := env.rdb.Do(ctx, "CLIENT", "KILL", "ID", f["id"]).Err(); err != nil {
				t.Fatal(err)
			}
			killed++
		}
	}
	if killed != 1 {
		t.Fatalf("killed %d subscriber connections named %s, want 1; clients:\n%s", killed, env.names[s], clients)
	}
	// From the kill on, the watcher sees the error and the cache gives no hit.
	eventuallyRefused(t, s, secret, "cached key while the subscription is down")
	deadline := time.Now().Add(5 * time.Second)
	for !s.apiKeyCacheLive() {
		if time.Now().After(deadline) {
			t.Fatal("the watcher did not resubscribe within 5 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestAPIKeyCacheEntriesExpireAndLastUsedIsWrittenOnceAMinute(t *testing.T) {
	var mu sync.Mutex
	now := time.Now().UTC().Truncate(time.Microsecond)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	env := newCacheEnv(t)
	s := env.service(Options{APIKeyCacheTTL: 10 * time.Minute, Now: clock}, true)
	ctx := context.Background()
	owner := cacheSignUp(t, s, "ttl@example.com")
	k, secret, err := s.CreateAPIKey(ctx, owner, "robot", []string{"buy_postage"})
	if err != nil {
		t.Fatal(err)
	}
	lastUsed := func() time.Time {
		t.Helper()
		var at *time.Time
		if err := env.pool.QueryRow(ctx, `SELECT last_used_at FROM api_keys WHERE id = $1`, k.ID).Scan(&at); err != nil {
			t.Fatal(err)
		}
		if at == nil {
			return time.Time{}
		}
		return at.UTC()
	}
	mustAuth(t, s, secret)
	first := lastUsed()
	if !first.Equal(clock()) {
		t.Fatalf("last_used_at %v after first use, want %v", first, clock())
	}
	advance(30 * time.Second)
	mustAuth(t, s, secret)
	if got := lastUsed(); !got.Equal(first) {
		t.Errorf("last_used_at rewritten within the minute: %v", got)
	}
	advance(61 * time.Second)
	mustAuth(t, s, secret) // a cache hit, yet last_used_at moves on
	if got := lastUsed(); !got.Equal(clock()) {
		t.Errorf("last_used_at %v after a minute, want %v", got, clock())
	}
	// After the TTL the key is looked up again.
	if _, err := env.pool.Exec(ctx, `DELETE FROM api_keys WHERE id = $1`, k.ID); err != nil {
		t.Fatal(err)
	}
	mustAuth(t, s, secret)
	advance(10 * time.Minute)
	if _, err := s.AuthenticateAPIKey(ctx, secret); apperr.KindOf(err) != apperr.KindUnauthorized {
		t.Errorf("expired entry: want the database's answer (unauthorized), got %v", err)
	}
}
