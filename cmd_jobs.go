package main

import (
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"indicia/config"
	"indicia/hygiene"
	"indicia/jobs"
	"indicia/jobs/tasks"
)

// taskDeps builds what the worker's job handlers need.
func taskDeps(pool *pgxpool.Pool, rdb *redis.Client, q *jobs.Queue, cfg config.Config) tasks.Deps {
	_ = cfg
	d := tasks.Deps{Pool: pool, Redis: rdb, Queue: q}
	if c, err := hygiene.New(); err == nil {
		d.Batches = hygiene.NewBatches(pool, c, q)
	}
	return d
}
