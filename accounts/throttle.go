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
// Two limits: failures per email (lockout, defeats guessing one account) and
// attempts per IP per minute (defeats spraying many accounts from one place).
const ipAttemptsPerMinute = 30

func (s *Service) failKey(email string) string {
	return s.opt.RedisPrefix + "loginfail:" + strings.ToLower(email)
}
func (s *Service) ipKey(ip string) string { return s.opt.RedisPrefix + "loginip:" + ip }

// checkThrottle refuses a login attempt when the email is locked or the IP is too busy.
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
	fails, err := s.rdb.Get(ctx, s.failKey(email)).Int()
	if err == nil && fails >= s.opt.LoginMaxFails {
		ttl, _ := s.rdb.TTL(ctx, s.failKey(email)).Result()
		mins := int(math.Ceil(ttl.Minutes()))
		wait := fmt.Sprintf("%d minutes", mins)
		if mins <= 1 {
			wait = "1 minute"
		}
		return apperr.RateLimited("Too many failed attempts for this account. Try again in " + wait + ".")
	}
	return nil
}

func (s *Service) recordFailure(ctx context.Context, email string) {
	n, err := s.rdb.Incr(ctx, s.failKey(email)).Result()
	if err == nil && n == 1 {
		s.rdb.Expire(ctx, s.failKey(email), s.opt.LoginLockout)
	}
}

func (s *Service) clearFailures(ctx context.Context, email string) {
	s.rdb.Del(ctx, s.failKey(email))
}
