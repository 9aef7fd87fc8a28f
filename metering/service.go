package metering

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"indicia/metering/box"
	"indicia/metering/tracking"
)

// Box is what metering needs of the secure box (box.Client satisfies it).
type Box interface {
	CreateMeter(ctx context.Context, serial, mfgNumber string, accountID int64) (box.Record, []byte, error)
	Credit(ctx context.Context, rec box.Record, amountCents int64, transferID string) (box.Record, box.TxRecord, error)
	// Debit takes funds back out of the meter (debit.go).
	Debit(ctx context.Context, rec box.Record, amountCents int64, transferID string) (box.Record, box.TxRecord, error)
	Dispense(ctx context.Context, rec box.Record, pieces []box.Piece) (box.DispenseResult, error)
	SetStatus(ctx context.Context, rec box.Record, status, reason string) (box.Record, box.TxRecord, error)
	SetOrigin(ctx context.Context, rec box.Record, zip string) (box.Record, box.TxRecord, error)
	Commit(ctx context.Context, serial string, counter int64) error
	// Capabilities says which of the operations below the box serves
	// (dispense.go chooses a strategy by it).
	Capabilities(ctx context.Context) (box.Capabilities, error)
	// DispenseMany and CommitMany serve many meters in one request (dispense_groupcommit.go).
	DispenseMany(ctx context.Context, items []box.DispenseItem) ([]box.DispenseItemResult, error)
	CommitMany(ctx context.Context, items []box.CommitItem) ([]error, error)
	// DispenseChained and Confirm pipeline the groups of one meter (dispense_pipeline.go).
	DispenseChained(ctx context.Context, rec box.Record, pieces []box.Piece) (box.DispenseResult, error)
	Confirm(ctx context.Context, serial string, counter int64, hash [32]byte) error
	VerifyRecord(ctx context.Context, rec box.Record) error
	SignTransaction(ctx context.Context, kind string, payload []byte, prev *box.SignedTx) (box.SignedTx, error)
	Certificates(ctx context.Context) (box.PublicKeys, error)
	// SignRevocationList signs the meter certificate revocation list (revocation.go).
	SignRevocationList(ctx context.Context, entries []box.Revocation, validity time.Duration) ([]byte, error)
}

// Options tune the service.
type Options struct {
	Now func() time.Time
	// MaxCoalesce caps the pieces one coalesced box call carries.
	MaxCoalesce int
	// Committers is how many cross-meter transactions may run at once
	// (dispense_groupcommit.go); 0 means 2, negative turns group commit off.
	Committers int
	// MaxBatchMeters caps the meters one cross-meter transaction serves (0: 64).
	MaxBatchMeters int
	// OnBatch is told of every cross-meter transaction that committed: how
	// many meters and pieces it served (metrics).
	OnBatch func(meters, pieces int)
	// NoPipeline turns off pipelined purchases on one meter (dispense_pipeline.go).
	NoPipeline bool
	// OnChained is told of every group served on the pipelined path: its
	// pieces (metrics).
	OnChained func(pieces int)
	// OnTamper is told of every tamper alert (metrics).
	OnTamper func(serial, reason string)
	// StageAlert stages an email to the vendor admins in the transaction
	// that stores what it is about, so both commit or neither does; the
	// returned func queues it after the commit (a failure there leaves it
	// to the job queue's sweep). nil: nobody is emailed.
	StageAlert func(ctx context.Context, tx pgx.Tx, subject, body string) (queue func(context.Context), err error)
	// Zone gives the USPS zone between two ZIPs (the rater); FarZone is the
	// largest zone between a label's origin and its first scan that raises
	// no far_from_origin signal (0: DefaultFarZone). Without Zone any other
	// ZIP3 is far.
	Zone    ZoneFunc
	FarZone int
	// VoidWindow is how long after purchase a mailer may void a label (0: DefaultVoidWindow).
	VoidWindow time.Duration
	// MailerID builds the IMpb tracking numbers of packages and Certified
	// Mail; empty: pieces get none.
	MailerID tracking.MailerID
	// ReadPool serves the read-only pages (label history, postal views,
	// forecasts, fraud signal lists), typically a streaming standby; nil:
	// the primary. Writes and anything under a meter lock never use it.
	ReadPool *pgxpool.Pool
}

// Service is the metering domain.
type Service struct {
	pool *pgxpool.Pool
	box  Box
	opt  Options

	refunder CardRefunder

	mu     sync.Mutex
	queues map[int64]*meterQueue
	cm     committer
	scans  scanCommitter
	revs   revocationCache
	trust  trustCache
	serial trackingSerials
}

// New builds the service.
func New(pool *pgxpool.Pool, b Box, opt Options) *Service {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.MaxCoalesce == 0 {
		opt.MaxCoalesce = box.MaxBatch
	}
	if opt.Committers == 0 {
		opt.Committers = 2
	}
	if opt.MaxBatchMeters == 0 {
		opt.MaxBatchMeters = 64
	}
	return &Service{pool: pool, box: b, opt: opt, queues: map[int64]*meterQueue{}}
}

// reads is the pool for read-only pages: the standby when one is set.
func (s *Service) reads() *pgxpool.Pool {
	if s.opt.ReadPool != nil {
		return s.opt.ReadPool
	}
	return s.pool
}

func (s *Service) now() time.Time { return s.opt.Now().UTC() }

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// publicID is a stable, non-guessable ID shown in URLs (80 random bits).
func publicID() string {
	b := make([]byte, 10)
	rand.Read(b)
	return strings.ToLower(b32.EncodeToString(b))
}
