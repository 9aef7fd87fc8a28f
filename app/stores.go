package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"indicia/config"
	"indicia/db"
	"indicia/metering"
	"indicia/metering/box"
)

// openStores opens (or takes) the PostgreSQL pool and, unless only the
// database is wanted, the Redis client; it migrates when asked and refuses a
// schema that is behind.
func (a *App) openStores(ctx context.Context, opts Options) error {
	a.Pool = opts.Pool
	if a.Pool == nil {
		pool, err := db.Open(ctx, a.Config.DatabaseURL)
		if err != nil {
			return err
		}
		a.Pool = pool
		a.onClose(pool.Close)
	}
	a.ReadPool = a.Pool
	if opts.Pool == nil && a.Config.DatabaseReplicaURL != "" {
		replica, err := db.Open(ctx, a.Config.DatabaseReplicaURL)
		if err != nil {
			return fmt.Errorf("DATABASE_REPLICA_URL: %w", err)
		}
		a.ReadPool = replica
		a.onClose(replica.Close)
	}
	if opts.Migrate {
		n, err := db.Migrate(ctx, a.Pool)
		if err != nil {
			return err
		}
		a.Migrated = n
	}
	if err := db.CheckSchema(ctx, a.Pool); err != nil {
		return err
	}
	if opts.DatabaseOnly {
		return nil
	}
	a.Redis = opts.Redis
	if a.Redis == nil {
		rdb, err := openRedis(ctx, a.Config)
		if err != nil {
			return err
		}
		a.Redis = rdb
		a.onClose(func() { rdb.Close() })
	}
	return nil
}

// openRedis connects to REDIS_URL, or with REDIS_SENTINELS to the master
// the Sentinels name. A failover client is still a *redis.Client: sessions,
// throttling, the key-cache invalidation and the job queue follow a promoted
// replica without knowing it.
func openRedis(ctx context.Context, cfg config.Config) (*redis.Client, error) {
	opt, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	var rdb *redis.Client
	where := opt.Addr
	if len(cfg.RedisSentinels) > 0 {
		rdb = redis.NewFailoverClient(&redis.FailoverOptions{
			MasterName:    cfg.RedisMasterName,
			SentinelAddrs: cfg.RedisSentinels,
			Username:      opt.Username,
			Password:      opt.Password,
			DB:            opt.DB,
		})
		where = fmt.Sprintf("master %q through Sentinels %v", cfg.RedisMasterName, cfg.RedisSentinels)
	} else {
		rdb = redis.NewClient(opt)
	}
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("redis: ping %s: %w", where, err)
	}
	return rdb, nil
}

// openBox takes or dials the secure box. Under Options.Partial a box that
// does not answer leaves a.Box nil.
func (a *App) openBox(ctx context.Context, opts Options) error {
	a.Box = opts.Box
	if a.Box != nil {
		return a.checkRoot(ctx)
	}
	wait := opts.BoxWait
	if wait == 0 {
		wait = 20 * time.Second
	}
	tlsFiles := map[string]string{"BOX_TLS_CERT": a.Config.BoxTLSCert, "BOX_TLS_KEY": a.Config.BoxTLSKey, "BOX_TLS_ROOT": a.Config.BoxTLSRoot}
	ct, err := box.ClientTLSFromEnv(func(k string) string { return tlsFiles[k] })
	if err != nil {
		return err
	}
	c, err := dialBox(ctx, a.Config.BoxSocket, ct, wait)
	if err != nil {
		return partial(opts, "metering, payments and refund submission", err)
	}
	a.Box = c
	a.onClose(func() { c.Close() })
	return a.checkRoot(ctx)
}

// checkRoot refuses a box whose keystore is not the one this database was
// initialised with (the first start records it). Fatal even under
// Options.Partial: with another deployment's keys nothing stored verifies.
func (a *App) checkRoot(ctx context.Context) error {
	keys, err := a.Box.Certificates(ctx)
	if err != nil {
		return fmt.Errorf("secure box: root certificate: %w", err)
	}
	return metering.CheckDeploymentRoot(ctx, a.Pool, keys.RootCertPEM, a.Box.VerifyRecord)
}

// dialBox connects to the secure box, waiting up to wait for it to start.
func dialBox(ctx context.Context, socket string, ct *box.ClientTLS, wait time.Duration) (*box.Client, error) {
	deadline := time.Now().Add(wait)
	for {
		c, err := box.DialTLS(socket, ct)
		if err == nil {
			return c, nil
		}
		if errors.Is(err, box.ErrRefused) {
			return nil, err // waiting will not change the box's mind
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("secure box at %s does not answer (is `indicia box` running?): %w", socket, err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
