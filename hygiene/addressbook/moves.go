package addressbook

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"indicia/accounts"
	"indicia/apperr"
	"indicia/hygiene/address"
)

// ApplyMove moves entry id of the actor's account to the address to, in the
// caller's transaction: the entry's current address goes to its history
// under source. The entry must still be at the address whose match key is
// wantKey (the change-of-address match was found for that address).
func (b *Book) ApplyMove(ctx context.Context, tx pgx.Tx, actor accounts.User, id int64, wantKey string, to address.Fields, zip4, source string, now time.Time) error {
	entry, err := getEntry(ctx, tx, actor.AccountID, id, true)
	if err != nil {
		return err
	}
	if entry.MatchKey != wantKey {
		return apperr.Conflict("", "The address in your book changed since this move was found; dismiss it.")
	}
	if err := appendHistory(ctx, tx, entry, source, actor.ID, now); err != nil {
		return err
	}
	fc := b.c.CheckFields(to)
	reasons := fc.Warnings()
	if reasons == nil {
		reasons = []string{}
	}
	_, err = tx.Exec(ctx, `UPDATE address_book SET line1=$3, line2=$4, city=$5, state=$6, zip=$7, zip4=$8, status=$9, reasons=$10,
		dpv=$11, match_key=$12, updated_at=$13 WHERE id = $1 AND account_id = $2`, id, actor.AccountID,
		to.Line1, to.Line2, to.City, to.State, to.ZIP, zip4, string(fc.Result.Status), reasons,
		fc.Result.DPV, fc.Result.Key(), now)
	if err != nil {
		return fmt.Errorf("addressbook: move entry %d: %w", id, err)
	}
	return nil
}

// Rowser runs a query: a pool or a transaction.
type Rowser interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// Entries returns the account's entries with the given IDs, by ID; IDs of
// other accounts or of deleted entries are left out. It does not check the
// actor: callers show entries the account's own records point at.
func (b *Book) Entries(ctx context.Context, q Rowser, accountID int64, ids []int64) (map[int64]Entry, error) {
	out := make(map[int64]Entry, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.Query(ctx, `SELECT `+entryColumns+` FROM address_book WHERE account_id = $1 AND id = ANY($2)`, accountID, ids)
	if err != nil {
		return nil, fmt.Errorf("addressbook: load address book entries: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Entry, error) { return scanEntry(r) })
	if err != nil {
		return nil, fmt.Errorf("addressbook: load address book entries: %w", err)
	}
	for _, e := range list {
		out[e.ID] = e
	}
	return out, nil
}
