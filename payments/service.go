package payments

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"indicia/metering"
)

// Options tune the service.
type Options struct {
	// FeePerPiece is the vendor's fee for each trickle-charged piece, in cents.
	FeePerPiece int64
	// MinTopUp is the smallest prepaid top-up, in cents.
	MinTopUp int64
	// TestMode: no real Stripe key; the billing page offers Stripe's test cards.
	TestMode bool
	// PublishableKey turns on Stripe's Payment Element on the billing page.
	PublishableKey string
	// Mailer sends low-balance and failed-refill emails (nil: log only).
	Mailer Mailer
	// AdminEmail receives dispute alerts (empty: every vendor admin).
	AdminEmail string
	// Grace is how long an unfinished charge is left to its own request
	// before the reconciler takes it over.
	Grace time.Duration
	Now   func() time.Time
	// FundingCacheTTL turns on the cache of each purchase's meter and funding
	// mode (funding_cache.go) for this long; 0 leaves it off.
	FundingCacheTTL time.Duration
	// AfterPhase is called after each committed phase of a charge (tests kill the process here).
	AfterPhase func(chargeID int64, status string)
}

// Service is card funding.
type Service struct {
	pool   *pgxpool.Pool
	stripe *Stripe
	met    *metering.Service
	opt    Options
	// funding caches the meter and funding mode of purchases (nil: off).
	funding *fundingCache
}

// New builds the service.
func New(pool *pgxpool.Pool, st *Stripe, met *metering.Service, opt Options) *Service {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.MinTopUp == 0 {
		opt.MinTopUp = 10_00
	}
	if opt.Grace == 0 {
		opt.Grace = 2 * time.Minute
	}
	s := &Service{pool: pool, stripe: st, met: met, opt: opt, funding: newFundingCache(opt.FundingCacheTTL)}
	if met != nil {
		// A voided trickle label goes back to the card, not into the meter.
		met.SetCardRefunder(s)
	}
	return s
}

// TestMode reports whether the stand-in (or Stripe's test mode) is in use.
func (s *Service) TestMode() bool { return s.opt.TestMode }

// PublishableKey is the key the Payment Element needs ("" without one).
func (s *Service) PublishableKey() string { return s.opt.PublishableKey }

// Fee is the trickle fee for a purchase of n pieces.
func (s *Service) Fee(pieces int) int64 { return s.opt.FeePerPiece * int64(pieces) }

// MinTopUp is the smallest prepaid top-up.
func (s *Service) MinTopUp() int64 { return s.opt.MinTopUp }

func (s *Service) now() time.Time { return s.opt.Now().UTC() }

func (s *Service) phase(id int64, status string) {
	if s.opt.AfterPhase != nil {
		s.opt.AfterPhase(id, status)
	}
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

func publicID() string {
	b := make([]byte, 10)
	rand.Read(b)
	return strings.ToLower(b32.EncodeToString(b))
}

// DefaultFeePerPiece is the trickle fee per piece serve and worker charge (5 cents).
const DefaultFeePerPiece = 5
