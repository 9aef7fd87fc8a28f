package accounts

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"indicia/metering/box"
)

// Options tune the service; zero values take the defaults.
type Options struct {
	RedisPrefix     string
	SessionIdle     time.Duration
	SessionAbsolute time.Duration
	LoginMaxFails   int
	// SignUpsPerHour limits public sign-ups per network address (0: 5).
	SignUpsPerHour int
	LoginLockout   time.Duration
	Pepper         Pepperer
	// Signer is the transaction box: it signs the login-history chain.
	Signer TxSigner
	// OnChainBreak is called after a login found a broken link in the login
	// chain and started a new segment (metrics), with the alert's reason.
	OnChainBreak func(reason string)
	Now          func() time.Time
	// APIKeyCacheTTL caches authenticated API keys in the process for this
	// long; 0 (the default) looks every key up in PostgreSQL. The cache serves
	// hits only while WatchAPIKeyInvalidations runs and is subscribed.
	APIKeyCacheTTL time.Duration
	// Mail sends notices without a credential in them (it may queue a
	// retry with the message). LinkMail sends password reset and
	// confirmation links, one attempt each; LinkRetry queues the retry of
	// a failed one without the link (LinkJob); LinkMail nil uses Mail.
	// BaseURL starts the links.
	Mail      Mailer
	LinkMail  Mailer
	LinkRetry LinkRetry
	BaseURL   string
	// Addresses standardizes the public sign-up's address as a purchase's
	// recipient is (nil: the address is only checked for its form).
	Addresses AddressStandardizer
}

// AddressStandardizer checks a US mailing address against the postal data:
// the address as the post office writes it, or messages by form field
// (address_line1, city, state, zip) when it cannot be mailed to as typed.
type AddressStandardizer interface {
	StandardizeAddress(a Address) (Address, map[string]string)
}

// TxSigner chains and signs records (the transaction box; box.Client satisfies it).
type TxSigner interface {
	SignTransaction(ctx context.Context, kind string, payload []byte, prev *box.SignedTx) (box.SignedTx, error)
}

// Service is the accounts domain.
type Service struct {
	pool     *pgxpool.Pool
	rdb      *redis.Client
	opt      Options
	pw       *passwords
	Sessions *Sessions
	apiKeys  *apiKeyCache // nil when off
}

// New builds the service.
func New(pool *pgxpool.Pool, rdb *redis.Client, opt Options) (*Service, error) {
	if opt.SessionIdle == 0 {
		opt.SessionIdle = 30 * time.Minute
	}
	if opt.SessionAbsolute == 0 {
		opt.SessionAbsolute = 12 * time.Hour
	}
	if opt.LoginMaxFails == 0 {
		opt.LoginMaxFails = 5
	}
	if opt.LoginLockout == 0 {
		opt.LoginLockout = 15 * time.Minute
	}
	opt.BaseURL = trimURL(opt.BaseURL)
	if opt.Now == nil {
		opt.Now = time.Now
	}
	pw, err := newPasswords(opt.Pepper)
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	s := &Service{pool: pool, rdb: rdb, opt: opt, pw: pw, apiKeys: newAPIKeyCache(opt.APIKeyCacheTTL)}
	s.Sessions = &Sessions{rdb: rdb, prefix: opt.RedisPrefix, idle: opt.SessionIdle, absolute: opt.SessionAbsolute, now: s.now}
	return s, nil
}

func (s *Service) now() time.Time { return s.opt.Now().UTC() }
