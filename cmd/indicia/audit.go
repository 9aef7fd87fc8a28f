package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"indicia/accounts"
	"indicia/app"
	"indicia/payments"
	"indicia/views"
)

// runAudit checks every invariant of the registers, the transaction chains,
// the funds transfers, the voids and the login chain, and exits non-zero on
// any violation.
func runAudit(args []string) error {
	fs := flags("audit", "Audit every meter with the secure box: records, hash chains, registers (AR + DR = credited, AR = postage), piece counts, the funds-transfer chain, void credits, the double-entry ledger against meters and charges, and the login-history chain (every segment, every break explained by a segment start and a resolved alert). Exits 1 on any problem.")
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
	return audit(ctx, a, os.Stdout)
}

// audit runs every check, writes the report to w, and returns an error when
// it found problems.
func audit(ctx context.Context, a *app.App, w io.Writer) error {
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
	keys, err := a.Box.Certificates(ctx)
	if err != nil {
		return fmt.Errorf("audit: box public keys: %w", err)
	}
	pub, err := accounts.ParseTxKey(keys.TxKeyPEM)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	logins, err := a.Accounts.AuditLoginChain(ctx, pub)
	if err != nil {
		return err
	}
	for _, p := range logins.Problems {
		rep.Problems = append(rep.Problems, "login chain: "+p)
	}
	fmt.Fprintf(w, "meters        %d\n", rep.Meters)
	fmt.Fprintf(w, "transactions  %d\n", rep.Transactions)
	fmt.Fprintf(w, "pieces        %d\n", rep.Pieces)
	fmt.Fprintf(w, "postage       %s\n", views.Money(rep.Postage))
	fmt.Fprintf(w, "credited      %s\n", views.Money(rep.Credited))
	fmt.Fprintf(w, "debited       %s\n", views.Money(rep.Debited))
	fmt.Fprintf(w, "transfers     %d (one signed chain)\n", rep.Transfers)
	fmt.Fprintf(w, "voided labels %d\n", rep.Voided)
	fmt.Fprintf(w, "logins        %d signed in %d segments, %d unsigned\n", logins.Records, logins.Segments, logins.Unsigned)
	if len(logins.Breaks) > 0 {
		fmt.Fprintf(w, "%d login chain breaks:\n", len(logins.Breaks))
		for _, b := range logins.Breaks {
			fmt.Fprintln(w, "  "+b)
		}
	}
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
