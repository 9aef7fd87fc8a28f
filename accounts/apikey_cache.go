package accounts

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// The API-key cache spares the hot path of every API request its PostgreSQL
// round trip. It keeps the documented guarantee that revoking a key, or
// disabling, deleting or changing the rights of its creator, stops the key at
// once, on every serve process:
//
//   - every such change clears the local cache and publishes on the Redis
//     channel <RedisPrefix>apikeys:invalidate; WatchAPIKeyInvalidations clears
//     the cache of every process on each message;
//   - the cache serves hits only while that subscription is confirmed: before
//     it (start-up), and from a Redis error until the next confirmation (lost
//     connection, missed health-check pong), every request goes to PostgreSQL;
//   - a generation counter, bumped on every invalidation, stops a lookup that
//     read the row before a change from storing it after the change's
//     invalidation was processed;
//   - entries expire after Options.APIKeyCacheTTL whatever happens, which bounds
//     the damage if a publish is lost (see invalidateAPIKeys).
//
// The secret is checked against the cached hash in constant time on every
// request, exactly as without the cache.

const (
	// apiKeyCacheMax bounds the cache; when full it is dropped whole (simplest,
	// and 100k active keys on one process is far beyond any expected load).
	apiKeyCacheMax = 100_000
	// apiKeyPingEvery is the watcher's health check: with no message for this
	// long it publishes a probe through the ordinary client (which always
	// writes to the current master) and expects it back on the subscription;
	// a second silence counts as a lost subscription. A ping would not do:
	// after a Sentinel failover the subscription can sit on the demoted
	// master, which answers pings but never sees what the new master gets.
	apiKeyPingEvery = 5 * time.Second
	// apiKeyProbe prefixes the probes; every watcher ignores them.
	apiKeyProbe = "probe:"
)

// apiKeyEntry is one authenticated key row: its creator already narrowed to
// the key's scopes.
type apiKeyEntry struct {
	user     User
	hash     []byte
	keyID    int64
	expires  time.Time
	lastUsed atomic.Int64 // unix nanoseconds of last_used_at as last written; 0 for never
}

type apiKeyCache struct {
	ttl  time.Duration
	mu   sync.RWMutex
	m    map[string]*apiKeyEntry
	gen  uint64 // bumped by every invalidation
	live bool   // the invalidation subscription is confirmed
}

func newAPIKeyCache(ttl time.Duration) *apiKeyCache {
	if ttl <= 0 {
		return nil
	}
	return &apiKeyCache{ttl: ttl, m: map[string]*apiKeyEntry{}}
}

// get returns a live, unexpired entry for prefix, or nil. It also returns the
// generation to pass to put after a database lookup.
func (c *apiKeyCache) get(prefix string, now time.Time) (*apiKeyEntry, uint64) {
	if c == nil {
		return nil, 0
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if !c.live {
		return nil, c.gen
	}
	e := c.m[prefix]
	if e == nil || !now.Before(e.expires) {
		return nil, c.gen
	}
	return e, c.gen
}

// put stores e unless an invalidation happened since gen was read or the
// subscription is not confirmed.
func (c *apiKeyCache) put(prefix string, e *apiKeyEntry, gen uint64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live || c.gen != gen {
		return
	}
	if len(c.m) >= apiKeyCacheMax {
		c.m = map[string]*apiKeyEntry{}
	}
	c.m[prefix] = e
}

// clear drops every entry and bumps the generation.
func (c *apiKeyCache) clear() {
	c.setLive(nil)
}

// setLive clears the cache and, when live is not nil, records the
// subscription state.
func (c *apiKeyCache) setLive(live *bool) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.m)
	if live != nil {
		c.live = *live
	}
}

func (s *Service) apiKeyChannel() string { return s.opt.RedisPrefix + "apikeys:invalidate" }

// invalidateAPIKeys is called after every change that can stop a key or change
// what it may do. It clears this process's cache and tells the others.
//
// It publishes even when this process has no cache: other serve processes may.
// A publish failure is logged and the change still succeeds: the database is
// already changed, and the cache TTL bounds how long another process can keep
// accepting the key (a subscriber that lost Redis stops serving hits anyway).
func (s *Service) invalidateAPIKeys(ctx context.Context, reason string) {
	s.apiKeys.clear()
	if s.rdb == nil {
		return
	}
	// The change is committed: publish even if the request is being cancelled.
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := s.rdb.Publish(pctx, s.apiKeyChannel(), reason).Err(); err != nil {
		slog.Error("accounts: publish API key invalidation; other processes keep cached keys until their TTL",
			"reason", reason, "err", err, "ttl", s.opt.APIKeyCacheTTL)
	}
}

// WatchAPIKeyInvalidations keeps the invalidation subscription until ctx ends,
// reconnecting after errors. The cache serves hits only while it runs and is
// subscribed. It returns at once when the cache is off.
func (s *Service) WatchAPIKeyInvalidations(ctx context.Context) {
	if s.apiKeys == nil || s.rdb == nil {
		return
	}
	off := false
	defer s.apiKeys.setLive(&off)
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		start := time.Now()
		err := s.watchAPIKeysOnce(ctx)
		s.apiKeys.setLive(&off)
		if ctx.Err() != nil {
			return
		}
		if time.Since(start) > time.Minute {
			backoff = 100 * time.Millisecond
		}
		slog.Warn("accounts: API key invalidation subscription lost; cache off until resubscribed", "err", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 10*time.Second)
	}
}

// watchAPIKeysOnce runs one subscription on one connection until its first error.
func (s *Service) watchAPIKeysOnce(ctx context.Context) error {
	ps := s.rdb.Subscribe(ctx, s.apiKeyChannel())
	defer ps.Close()
	stop := context.AfterFunc(ctx, func() { ps.Close() }) // unblock a pending receive
	defer stop()
	on := true
	probe := ""
	for {
		msg, err := ps.ReceiveTimeout(ctx, apiKeyPingEvery)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && probe == "" {
				probe = apiKeyProbe + rand.Text()
				if err := s.rdb.Publish(ctx, s.apiKeyChannel(), probe).Err(); err != nil {
					return fmt.Errorf("probe: %w", err)
				}
				continue
			}
			if probe != "" {
				return fmt.Errorf("probe not received in %s: the subscription is not on the master", apiKeyPingEvery)
			}
			return err
		}
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind != "subscribe" {
				return fmt.Errorf("unexpected %s of %s", m.Kind, m.Channel)
			}
			// Confirmed: nothing published from now on can be missed. Anything
			// published before is covered by clearing the cache here.
			s.apiKeys.setLive(&on)
		case *redis.Message:
			if strings.HasPrefix(m.Payload, apiKeyProbe) {
				if m.Payload == probe {
					probe = ""
				}
				continue
			}
			probe = ""
			s.apiKeys.clear()
		case *redis.Pong:
		}
	}
}

// touchAPIKey writes last_used_at at most once a minute per key: a write per
// request would cost the hot path. The compare-and-swap lets one of many
// concurrent requests do it.
func (s *Service) touchAPIKey(ctx context.Context, e *apiKeyEntry, now time.Time) {
	last := e.lastUsed.Load()
	if last != 0 && now.Sub(time.Unix(0, last)) <= time.Minute {
		return
	}
	if !e.lastUsed.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	s.pool.Exec(ctx, `UPDATE api_keys SET last_used_at = $1 WHERE id = $2`, now, e.keyID)
}

// APIKeyCacheLive reports whether cached API keys are being served: the cache
// is on and its invalidation subscription is confirmed (for /readyz-style
// checks and tests).
func (s *Service) APIKeyCacheLive() bool {
	c := s.apiKeys
	if c == nil {
		return false
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.live
}
