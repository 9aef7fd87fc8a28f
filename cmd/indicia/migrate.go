package main

import (
	"context"
	"fmt"

	"indicia/app"
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
	a, err := app.New(ctx, cfg, app.Options{Migrate: true, DatabaseOnly: true})
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Printf("migrate: applied %d migration(s); schema is current\n", a.Migrated)
	return nil
}
