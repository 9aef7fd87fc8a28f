package accounts

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"indicia/apperr"
)

// Login throttling lives in Redis so every web process sees the same counts.
// Three limits:
//   - attempts per IP per minute (spraying many accounts from one place);
//   - failures per account *and* address: LoginMaxFails wrong passwords from
//     one address lock that address out of that account for LoginLockout, so
//     a stranger guessing locks out only themselves, never the owner;
//   - failures per account from every address: past accountSlowDownFactor ×
//     LoginMaxFails within LoginLockout (a distributed guess), addresses the
//     account has never logged in from are held to one attempt a minute,
//     while the addresses it has logged in from before go on as usual.
const (
	ipAttemptsPerMinute   = 30
	accountSlowDownFactor = 4
	knownAddressTTL       = 90 * 24 * time.Hour
)

func (s *Service) failKey(email, ip string) string {
	return s.opt.RedisPrefix + "loginfail:" + strings.ToLower(email) + "|" + ip
}
func (s *Service) accountFailKey(email string) string {
	return s.opt.RedisPrefix + "loginfailall:" + strings.ToLower(email)
}
func (s *Service) knownKey(email string) string {
	return s.opt.RedisPrefix + "loginknown:" + strings.ToLower(email)
}
func (s *Service) slowKey(email, ip string) string {
	return s.opt.RedisPrefix + "loginslow:" + strings.ToLower(email) + "|" + ip
}
func (s *Service) ipKey(ip string) string { return s.opt.RedisPrefix + "loginip:" + ip }

// ResetHint ends every lockout message: the way out that does not wait.
const ResetHint = " If you forgot your password, reset it at /password/forgot."

// checkThrottle refuses a login attempt when this address is locked out of
// the account, the address is too busy, or the account is under a
// distributed attack and the address is not one it knows.
func (s *Service) checkThrottle(ctx context.Context, email, ip string) error {
	n, err := s.rdb.Incr(ctx, s.ipKey(ip)).Result()
	if err != nil {
		return fmt.Errorf("accounts: throttle: %w", err)
	}
	if n == 1 {
		s.rdb.Expire(ctx, s.ipKey(ip), time.Minute)
	}
	if n > ipAttemptsPerMinute {
		return apperr.RateLimited("Too many login attempts from your network. Wait a minute and try again.")
	}
	fails, err := s.rdb.Get(ctx, s.failKey(email, ip)).Int()
	if err == nil && fails >= s.opt.LoginMaxFails {
		ttl, _ := s.rdb.TTL(ctx, s.failKey(email, ip)).Result()
		return apperr.RateLimited("Too many failed attempts for this account. Try again in " + minutes(ttl) + "." + ResetHint)
	}
	all, err := s.rdb.Get(ctx, s.accountFailKey(email)).Int()
	if err == nil && all >= accountSlowDownFactor*s.opt.LoginMaxFails {
		known, _ := s.rdb.SIsMember(ctx, s.knownKey(email), ip).Result()
		if !known {
			// One attempt a minute per unfamiliar address while the attack lasts.
			first, _ := s.rdb.SetNX(ctx, s.slowKey(email, ip), 1, time.Minute).Result()
			if !first {
				return apperr.RateLimited("Too many failed attempts for this account right now. Try again in 1 minute." + ResetHint)
			}
		}
	}
	return nil
}

func minutes(ttl time.Duration) string {
	if m := int(math.Ceil(ttl.Minutes())); m > 1 {
		return fmt.Sprintf("%d minutes", m)
	}
	return "1 minute"
}

func (s *Service) recordFailure(ctx context.Context, email, ip string) {
	for _, k := range []string{s.failKey(email, ip), s.accountFailKey(email)} {
		n, err := s.rdb.Incr(ctx, k).Result()
		if err == nil && n == 1 {
			s.rdb.Expire(ctx, k, s.opt.LoginLockout)
		}
	}
}

// loginSucceeded clears this address's failures and remembers it as one the
// account logs in from.
func (s *Service) loginSucceeded(ctx context.Context, email, ip string) {
	s.rdb.Del(ctx, s.failKey(email, ip))
	s.rdb.SAdd(ctx, s.knownKey(email), ip)
	s.rdb.Expire(ctx, s.knownKey(email), knownAddressTTL)
}

// clearLockouts ends every lockout of an account (its password was reset).
func (s *Service) clearLockouts(ctx context.Context, email string) {
	glob := strings.NewReplacer(`\`, `\\`, "*", `\*`, "?", `\?`, "[", `\[`, "]", `\]`)
	keys, _ := s.rdb.Keys(ctx, glob.Replace(s.failKey(email, ""))+"*").Result()
	keys = append(keys, s.accountFailKey(email))
	s.rdb.Del(ctx, keys...)
}
