package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"indicia/app"
	"indicia/payments"
	"indicia/views"
)

// runAudit checks every invariant of the registers, the transaction chains,
// the funds transfers and the voids, and exits non-zero on any violation.
func runAudit(args []string) error {
	fs := flags("audit", "Audit every meter with the secure box: records, hash chains, registers (AR + DR = credited, AR = postage), piece counts, funds transfers, void credits and the double-entry ledger against meters and charges. Exits 1 on any problem.")
	if done, err := parse(fs, args); done {
		return err
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	// Payments is built for the audit to know which voided labels were refunded to a card.
	a, err := app.New(ctx, cfg, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	rep, err := a.Metering.Audit(ctx)
	if err != nil {
		return err
	}
	ledger, err := payments.AuditLedger(ctx, a.Pool)
	if err != nil {
		return err
	}
	for _, p := range ledger {
		rep.Problems = append(rep.Problems, "ledger: "+p)
	}
	w := os.Stdout
	fmt.Fprintf(w, "meters        %d\n", rep.Meters)
	fmt.Fprintf(w, "transactions  %d\n", rep.Transactions)
	fmt.Fprintf(w, "pieces        %d\n", rep.Pieces)
	fmt.Fprintf(w, "postage       %s\n", views.Money(rep.Postage))
	fmt.Fprintf(w, "credited      %s\n", views.Money(rep.Credited))
	fmt.Fprintf(w, "transfers     %d\n", rep.Transfers)
	fmt.Fprintf(w, "voided labels %d\n", rep.Voided)
	if rep.OK() {
		fmt.Fprintln(w, "OK: no violations")
		return nil
	}
	fmt.Fprintf(w, "%d PROBLEMS:\n", len(rep.Problems))
	for _, p := range rep.Problems {
		fmt.Fprintln(w, "  "+p)
	}
	return fmt.Errorf("audit found %d problems", len(rep.Problems))
}
