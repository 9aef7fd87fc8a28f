package main

import (
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"indicia/config"
	"indicia/jobs"
	"indicia/jobs/tasks"
)

// taskDeps builds what the worker's job handlers need.
func taskDeps(pool *pgxpool.Pool, rdb *redis.Client, q *jobs.Queue, cfg config.Config) tasks.Deps {
	_ = cfg
	return tasks.Deps{Pool: pool, Redis: rdb, Queue: q}
}
