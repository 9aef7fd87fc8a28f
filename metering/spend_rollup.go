package metering

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/db"
)

// rollupKey is one row of spend_rollup without its day: every piece of a
// purchase group is bought at the same instant, so they share the day.
type rollupKey struct {
	account, meter, costCode, user int64
	origin, class                  string
}

// rollupRows add up a purchase group's pieces per rollup row, so the group
// costs one upsert statement, not a write per piece.
type rollupRows struct {
	sums map[rollupKey]*[2]int64 // pieces, postage
}

// addLabel counts label l, bought on meter m by user buyer.
func (r *rollupRows) addLabel(m Meter, buyer int64, l Label) {
	k := rollupKey{account: m.Record.AccountID, meter: m.ID, costCode: l.CostCodeID, user: buyer, origin: l.OriginZIP, class: l.MailClass}
	if r.sums == nil {
		r.sums = map[rollupKey]*[2]int64{}
	}
	s := r.sums[k]
	if s == nil {
		s = &[2]int64{}
		r.sums[k] = s
	}
	s[0]++
	s[1] += l.Postage
}

// rollupUpsert adds pieces and postage to the rows of the day of $1. The
// rows come sorted by key (meter first), so two transactions never take
// row locks in opposite orders.
const rollupUpsert = `INSERT INTO spend_rollup AS r (account_id, day, meter_id, cost_code_id, user_id, origin_zip, mail_class, pieces, postage)
	SELECT u.acct, ($1::timestamptz AT TIME ZONE 'UTC')::date, u.meter, u.cost, u.usr, u.origin, u.class, u.pieces, u.postage
	FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::bigint[], $9::bigint[]) WITH ORDINALITY
		AS u(acct, meter, cost, usr, origin, class, pieces, postage, ord)
	ORDER BY u.ord
	ON CONFLICT (account_id, day, meter_id, cost_code_id, user_id, origin_zip, mail_class)
	DO UPDATE SET pieces = r.pieces + excluded.pieces, postage = r.postage + excluded.postage`

// args are the upsert's arguments for a group bought at now, or nil when
// the group has no pieces.
func (r *rollupRows) args(now time.Time) []any {
	if len(r.sums) == 0 {
		return nil
	}
	keys := make([]rollupKey, 0, len(r.sums))
	for k := range r.sums {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b rollupKey) int {
		return cmp.Or(cmp.Compare(a.meter, b.meter), cmp.Compare(a.account, b.account), cmp.Compare(a.costCode, b.costCode),
			cmp.Compare(a.user, b.user), cmp.Compare(a.origin, b.origin), cmp.Compare(a.class, b.class))
	})
	n := len(keys)
	acct, meter, cost, usr, pieces, postage := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	origin, class := make([]string, n), make([]string, n)
	for i, k := range keys {
		s := r.sums[k]
		acct[i], meter[i], cost[i], usr[i], origin[i], class[i], pieces[i], postage[i] = k.account, k.meter, k.costCode, k.user, k.origin, k.class, s[0], s[1]
	}
	return []any{now, acct, meter, cost, usr, origin, class, pieces, postage}
}

func (r *rollupRows) queue(b *pgx.Batch, now time.Time) {
	if a := r.args(now); a != nil {
		b.Queue(rollupUpsert, a...)
	}
}

// markVoided marks a label voided and moves it to the voided columns of its
// rollup row, in one statement of the void's transaction (which holds the
// label's meter lock), after moving it in the postal rollup (postalVoid).
func markVoided(ctx context.Context, tx pgx.Tx, labelPublicID string, now time.Time, reason string) error {
	if err := postalVoid(ctx, tx, labelPublicID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `WITH v AS (
			UPDATE indicia SET status = 'voided', voided_at = $2, void_reason = $3 WHERE public_id = $1 AND status <> 'voided'
			RETURNING account_id, created_at, meter_id, cost_code_id, purchase_id, origin_zip, mail_class, postage)
		INSERT INTO spend_rollup AS r (account_id, day, meter_id, cost_code_id, user_id, origin_zip, mail_class, voided_pieces, voided_postage)
		SELECT v.account_id, (v.created_at AT TIME ZONE 'UTC')::date, v.meter_id, coalesce(v.cost_code_id, 0), coalesce(p.user_id, 0),
			v.origin_zip, v.mail_class, 1, v.postage
		FROM v JOIN purchases p ON p.id = v.purchase_id
		ON CONFLICT (account_id, day, meter_id, cost_code_id, user_id, origin_zip, mail_class)
		DO UPDATE SET voided_pieces = r.voided_pieces + 1, voided_postage = r.voided_postage + excluded.voided_postage`,
		labelPublicID, now, reason)
	if err != nil {
		return fmt.Errorf("metering: mark label %s voided: %w", labelPublicID, err)
	}
	return nil
}

// rollupSelect is the rollup computed from the pieces themselves.
const rollupSelect = `SELECT i.account_id, (i.created_at AT TIME ZONE 'UTC')::date, i.meter_id, coalesce(i.cost_code_id, 0), coalesce(p.user_id, 0),
		i.origin_zip, i.mail_class, count(*), sum(i.postage), count(*) FILTER (WHERE i.status = 'voided'),
		coalesce(sum(i.postage) FILTER (WHERE i.status = 'voided'), 0)
	FROM indicia i JOIN purchases p ON p.id = i.purchase_id`

// RebuildSpendRollup recomputes the spend rollup from the pieces, for tools
// that write pieces directly (the benchmark generators) and for repair. It
// locks the rollup against purchases and voids while it runs.
func RebuildSpendRollup(ctx context.Context, pool db.Querier) error {
	_, err := pool.Exec(ctx, `BEGIN; LOCK TABLE spend_rollup IN EXCLUSIVE MODE; DELETE FROM spend_rollup;
		INSERT INTO spend_rollup (account_id, day, meter_id, cost_code_id, user_id, origin_zip, mail_class, pieces, postage, voided_pieces, voided_postage)
		`+rollupSelect+` GROUP BY 1, 2, 3, 4, 5, 6, 7; COMMIT`)
	if err != nil {
		return fmt.Errorf("metering: rebuild spend rollup: %w", err)
	}
	return nil
}

// SpendRollupMismatches counts the rollup rows that differ from the pieces
// they summarize (missing on either side or with other sums); 0 is exact.
func SpendRollupMismatches(ctx context.Context, q db.Querier) (int64, error) {
	var n int64
	err := q.QueryRow(ctx, `WITH want AS (`+rollupSelect+` GROUP BY 1, 2, 3, 4, 5, 6, 7),
		have AS (SELECT account_id, day, meter_id, cost_code_id, user_id, origin_zip, mail_class, pieces, postage, voided_pieces, voided_postage
			FROM spend_rollup WHERE pieces <> 0 OR voided_pieces <> 0)
		SELECT count(*) FROM ((SELECT * FROM want EXCEPT ALL SELECT * FROM have) UNION ALL (SELECT * FROM have EXCEPT ALL SELECT * FROM want)) d`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("metering: compare spend rollup: %w", err)
	}
	return n, nil
}
