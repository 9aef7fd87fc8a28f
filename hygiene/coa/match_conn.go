package coa

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// matchTempBuffers is the temporary-table memory of a matching run's
// session. A run over a million entries writes about 500 MB of temporary
// tables; with PostgreSQL's default (8 MB) every one of them goes through
// files. The memory is taken only as the tables grow, and given back when
// the session ends.
const matchTempBuffers = "1GB"

// matchConn opens a session of its own for one matching run: temp_buffers
// can only be set before a session first touches a temporary table, which a
// pooled connection may already have done. The caller closes it, so the
// memory does not stay with the pool.
func (c *Service) matchConn(ctx context.Context) (*pgx.Conn, error) {
	cfg := c.pool.Config().ConnConfig.Copy()
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["temp_buffers"] = matchTempBuffers
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("coa: match: connect: %w", err)
	}
	return conn, nil
}
