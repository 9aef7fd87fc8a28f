package metering_test

import (
	"context"
	"strings"
	"testing"

	"indicia/accounts"
	"indicia/metering"
	"indicia/metering/meteringtest"
)

func TestAuditChecksTheFundsTransferChainLikeTheMeterChains(t *testing.T) {
	cases := map[string]struct{ edit, want string }{
		"an edited amount":   {`UPDATE funds_transfers SET amount = amount + 500 WHERE transfer_id = 'ft-audit-2'`, "amount differs from the signed record"},
		"an edited reason":   {`UPDATE funds_transfers SET reason = 'card_payment' WHERE transfer_id = 'ft-audit-2'`, "reason differs from the signed record"},
		"a deleted transfer": {`DELETE FROM funds_transfers WHERE transfer_id = 'ft-audit-2'`, "transfers are missing"},
		"an edited payload":  {`UPDATE funds_transfers SET tx_payload = tx_payload || ' ' WHERE transfer_id = 'ft-audit-2'`, "does not verify"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			// A box of its own: each database starts its meters at the same serial.
			svc, _, m, pool := setupPool(t, meteringtest.Start(t), 0)
			ctx := context.Background()
			for _, id := range []string{"ft-audit-1", "ft-audit-2", "ft-audit-3"} {
				if _, err := svc.Credit(ctx, accounts.System, m.ID, 1000, metering.CreditAdmin, id); err != nil {
					t.Fatal(err)
				}
			}
			if rep := audit(t, svc); rep.Transfers != 3 {
				t.Fatalf("audit counted %d transfers, want 3", rep.Transfers)
			}
			tag, err := pool.Exec(ctx, c.edit)
			if err != nil || tag.RowsAffected() != 1 {
				t.Fatalf("%s: %v (%d rows)", c.edit, err, tag.RowsAffected())
			}
			rep, err := svc.Audit(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(rep.Problems, "\n"); !strings.Contains(got, c.want) {
				t.Errorf("audit after %s: problems %q, want %q", name, got, c.want)
			}
		})
	}
}
