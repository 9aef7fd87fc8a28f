package main

import (
	"context"
	"fmt"

	"indicia/db"
)

func runMigrate(args []string) error {
	fs := flags("migrate", "Apply every pending migration (embedded SQL files, in order) to DATABASE_URL.")
	if done, err := parse(fs, args); done {
		return err
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	ctx := context.Background()
	pool, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	n, err := db.Migrate(ctx, pool)
	if err != nil {
		return err
	}
	fmt.Printf("migrate: applied %d migration(s); schema is current\n", n)
	return nil
}
