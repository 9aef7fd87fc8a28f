package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"indicia/migrations"
)

// Open connects a pool and checks that the server answers.
func Open(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("db: parse DATABASE_URL: %w", err)
	}
	// pgx defaults to max(4, cores) connections; a request makes several short
	// queries and 32 concurrent clients then queue for a connection. An explicit
	// pool_max_conns in the URL still wins.
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = 24
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("db: connect: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("db: ping: %w", err)
	}
	return pool, nil
}

func provider(pool *pgxpool.Pool) (*goose.Provider, *sql.DB, error) {
	sqldb := stdlib.OpenDBFromPool(pool)
	// The advisory lock lets several serve processes start at once safely.
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		sqldb.Close()
		return nil, nil, fmt.Errorf("db: migration lock: %w", err)
	}
	// Out-of-order is allowed: each area has its own number range, so a database
	// that ran an area's later migration still gets another area's earlier one.
	p, err := goose.NewProvider(goose.DialectPostgres, sqldb, migrations.FS, goose.WithSessionLocker(locker), goose.WithAllowOutofOrder(true))
	if err != nil {
		sqldb.Close()
		return nil, nil, fmt.Errorf("db: migrations: %w", err)
	}
	return p, sqldb, nil
}

// Migrate applies every pending migration and returns how many ran.
func Migrate(ctx context.Context, pool *pgxpool.Pool) (int, error) {
	p, sqldb, err := provider(pool)
	if err != nil {
		return 0, err
	}
	defer sqldb.Close()
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("db: migrate: %w", err)
	}
	return len(res), nil
}

// ErrSchemaBehind means the database lacks migrations this binary expects.
var ErrSchemaBehind = errors.New("database schema is behind this binary: run `indicia migrate`")

// CheckSchema refuses a database whose schema is behind the embedded migrations.
func CheckSchema(ctx context.Context, pool *pgxpool.Pool) error {
	p, sqldb, err := provider(pool)
	if err != nil {
		return err
	}
	defer sqldb.Close()
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("db: schema version: %w", err)
	}
	if current < target {
		return fmt.Errorf("db: at version %d, need %d: %w", current, target, ErrSchemaBehind)
	}
	return nil
}

// Transact runs fn in one serializable-safe transaction, retrying on
// serialization failures and deadlocks so callers need no retry loop of their own.
func Transact(ctx context.Context, pool *pgxpool.Pool, fn func(pgx.Tx) error) error {
	const attempts = 5
	var err error
	for i := 0; i < attempts; i++ {
		err = pgx.BeginFunc(ctx, pool, fn)
		if !retryable(err) {
			return err
		}
		time.Sleep(time.Duration(i+1) * 5 * time.Millisecond)
	}
	return err
}

func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	return false
}

// IsUniqueViolation reports a unique-constraint violation, optionally of one constraint.
func IsUniqueViolation(err error, constraint string) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return constraint == "" || pe.ConstraintName == constraint
	}
	return false
}
