package payments

import (
	"sync"
	"time"
)

// The funding cache spares every purchase the query that finds the meter to
// buy on (the account's default meter when the request names none) and its
// funding mode: under load that query cost PostgreSQL more than a quarter of
// its time per purchase. It is safe to serve a slightly old answer because
// nothing decided from it moves money the wrong way:
//
//   - the meter's status is checked again by metering, under the meter's
//     lock, on every purchase; when a cached meter turns out suspended,
//     retired or tamper-held, Buy drops the entry and asks PostgreSQL again
//     (so a mailer whose first meter was just suspended buys on the next
//     active one, exactly as without the cache);
//   - the funding mode is cleared from this process's cache by SetFunding;
//     another serve process may use the old mode for at most the TTL. Either
//     mode pays in full (the prepaid balance is the mailer's own money; a
//     trickle charge pays the card), so the cost of a stale mode is which of
//     the two paid, for a purchase made in the seconds after the switch.
//   - auto-refill re-reads its settings under a row lock before charging;
//     a stale threshold only delays the check by at most the TTL.
//
// Only successful lookups are cached; entries expire after Options.FundingCacheTTL.

// fundingCacheMax bounds the cache; when full it is dropped whole.
const fundingCacheMax = 100_000

type fundingKey struct{ account, meter int64 }

type fundingEntry struct {
	f       Funding
	expires time.Time
}

type fundingCache struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[fundingKey]fundingEntry
	gen uint64 // bumped by every clear, so a lookup that raced a change is not stored
}

func newFundingCache(ttl time.Duration) *fundingCache {
	if ttl <= 0 {
		return nil
	}
	return &fundingCache{ttl: ttl, m: map[fundingKey]fundingEntry{}}
}

// get returns an unexpired entry and the generation to pass to put.
func (c *fundingCache) get(k fundingKey, now time.Time) (Funding, bool, uint64) {
	if c == nil {
		return Funding{}, false, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok || !now.Before(e.expires) {
		return Funding{}, false, c.gen
	}
	return e.f, true, c.gen
}

func (c *fundingCache) put(k fundingKey, f Funding, gen uint64, now time.Time) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.m) >= fundingCacheMax {
		clear(c.m)
	}
	c.m[k] = fundingEntry{f: f, expires: now.Add(c.ttl)}
}

func (c *fundingCache) drop(k fundingKey) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, k)
}

func (c *fundingCache) clear() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.m)
}
