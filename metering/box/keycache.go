package box

import (
	"crypto/ecdsa"
	"crypto/subtle"
	"sync"
)

// keyCache keeps unwrapped meter keys in the box's memory, keyed by serial
// and checked against the exact wrapped bytes and key version presented: a
// record carrying any other wrapped key (a rotation, or an edit) misses and
// goes through AES-GCM again, so the cache never vouches for anything the
// slow path would refuse. It saves the unwrap and, because the same
// *ecdsa.PrivateKey is reused, crypto/ecdsa's per-key precomputation, on
// every dispense. Keys never leave the box either way.
type keyCache struct {
	mu  sync.Mutex
	m   map[string]cachedKey
	mac map[string][]byte // derived record-MAC keys by version and serial
}

type cachedKey struct {
	wrapped []byte
	version int
	key     *ecdsa.PrivateKey
}

// maxCachedKeys bounds the cache; when full it starts over (simplest, and a
// miss only costs one unwrap).
const maxCachedKeys = 100_000

func (c *keyCache) get(rec *Record) *ecdsa.PrivateKey {
	c.mu.Lock()
	e, ok := c.m[rec.Serial]
	c.mu.Unlock()
	if !ok || e.version != rec.KeyVersion || subtle.ConstantTimeCompare(e.wrapped, rec.WrappedKey) != 1 {
		return nil
	}
	return e.key
}

func (c *keyCache) put(rec *Record, k *ecdsa.PrivateKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedKeys {
		c.m = map[string]cachedKey{}
	}
	c.m[rec.Serial] = cachedKey{wrapped: append([]byte(nil), rec.WrappedKey...), version: rec.KeyVersion, key: k}
}

func (c *keyCache) macKey(version, serial string) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mac[version+"\x00"+serial]
}

func (c *keyCache) putMACKey(version, serial string, k []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mac == nil || len(c.mac) >= maxCachedKeys {
		c.mac = map[string][]byte{}
	}
	c.mac[version+"\x00"+serial] = k
}
