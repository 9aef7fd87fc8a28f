package payments

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Entry is one line of a ledger transfer: a positive amount credits the
// account (it holds more), a negative one debits it.
type Entry struct {
	Account string
	Amount  int64
}

// Ledger account names.
const (
	AccCardClearing = "card_clearing"
	AccVendorFees   = "vendor_fees"
	AccRefunds      = "refunds"
)

func accCustomer(accountID int64) string { return fmt.Sprintf("customer:%d", accountID) }

// postTransfer appends one transfer in the caller's transaction. It is the one
// insert path from Go (triggers post dispenses, voids and meter credits); it
// refuses a transfer that does not sum to zero, and the database checks every
// transfer again at commit.
func postTransfer(ctx context.Context, tx pgx.Tx, transferID, kind string, meterID, chargeID int64, entries ...Entry) error {
	var sum int64
	for _, e := range entries {
		sum += e.Amount
	}
	if sum != 0 || len(entries) < 2 {
		return fmt.Errorf("payments: ledger transfer %s sums to %d over %d entries; refused", transferID, sum, len(entries))
	}
	for _, e := range entries {
		if e.Amount == 0 {
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO ledger_entries (transfer_id, account, amount, kind, meter_id, charge_id) VALUES ($1,$2,$3,$4,$5,$6)`,
			transferID, e.Account, e.Amount, kind, nullID(meterID), nullID(chargeID)); err != nil {
			return fmt.Errorf("payments: ledger entry %s: %w", transferID, err)
		}
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Balance is one ledger account's balance.
type Balance struct {
	Account string
	Amount  int64
}

// Balances returns every ledger account's balance, by name.
func (s *Service) Balances(ctx context.Context) ([]Balance, error) {
	rows, err := s.pool.Query(ctx, `SELECT account, sum(amount)::bigint FROM ledger_entries GROUP BY account ORDER BY account`)
	if err != nil {
		return nil, fmt.Errorf("payments: balances: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Balance, error) {
		var b Balance
		return b, r.Scan(&b.Account, &b.Amount)
	})
}

// AuditLedger checks the ledger against itself, the meters and the charges;
// it returns one line per problem (none: the books balance).
func (s *Service) AuditLedger(ctx context.Context) ([]string, error) { return AuditLedger(ctx, s.pool) }

// AuditLedger is the ledger audit on a pool, for `indicia audit` (which has
// no Stripe client): every transfer sums to zero, each meter's ledger balance
// equals its descending register, card money in net of refunds equals the
// charges, and every finished trickle charge has its purchase.
func AuditLedger(ctx context.Context, pool *pgxpool.Pool) ([]string, error) {
	var problems []string
	check := func(q string, format func(pgx.Rows) (string, error)) error {
		rows, err := pool.Query(ctx, q)
		if err != nil {
			return fmt.Errorf("payments: audit ledger: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			p, err := format(rows)
			if err != nil {
				return fmt.Errorf("payments: audit ledger: %w", err)
			}
			problems = append(problems, p)
		}
		return rows.Err()
	}
	err := check(`SELECT transfer_id, sum(amount)::bigint FROM ledger_entries GROUP BY transfer_id HAVING sum(amount) <> 0`, func(r pgx.Rows) (string, error) {
		var id string
		var sum int64
		err := r.Scan(&id, &sum)
		return fmt.Sprintf("ledger transfer %s sums to %d cents, not zero", id, sum), err
	})
	if err == nil {
		err = check(`SELECT m.serial, m.dr, coalesce(l.bal, 0)::bigint FROM meters m
			LEFT JOIN (SELECT account, sum(amount) bal FROM ledger_entries WHERE account LIKE 'meter:%' GROUP BY account) l ON l.account = 'meter:' || m.id
			WHERE m.dr <> coalesce(l.bal, 0)`, func(r pgx.Rows) (string, error) {
			var serial string
			var dr, bal int64
			err := r.Scan(&serial, &dr, &bal)
			return fmt.Sprintf("meter %s: descending register %d cents but ledger balance %d cents", serial, dr, bal), err
		})
	}
	if err == nil {
		// Card money in, net of refunds, equals what the charges say.
		err = check(`SELECT c.want, coalesce(l.bal, 0)::bigint FROM
			(SELECT coalesce(sum(CASE WHEN status IN ('charged','credited','done','refunding','refunded') THEN amount ELSE 0 END), 0)
			      - coalesce(sum(refunded), 0) AS want FROM charges) c,
			(SELECT -sum(amount) bal FROM ledger_entries WHERE account = 'card_clearing') l
			WHERE c.want <> coalesce(l.bal, 0)`, func(r pgx.Rows) (string, error) {
			var want, bal int64
			err := r.Scan(&want, &bal)
			return fmt.Sprintf("card charges net of refunds are %d cents but the card clearing account holds %d cents", want, bal), err
		})
	}
	if err == nil {
		// Every finished trickle charge maps to its labels.
		err = check(`SELECT c.public_id FROM charges c WHERE c.kind = 'trickle' AND c.status = 'done'
			AND NOT EXISTS (SELECT 1 FROM purchases p WHERE p.public_id = c.purchase_public_id)`, func(r pgx.Rows) (string, error) {
			var id string
			err := r.Scan(&id)
			return fmt.Sprintf("trickle charge %s is done but its purchase is missing", id), err
		})
	}
	if err != nil {
		return nil, err
	}
	return problems, nil
}
