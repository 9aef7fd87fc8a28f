package coa

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// matchPayload is the coa_match job's payload: the lists whose keys to
// re-match (a new, replaced or withdrawn list), or one account's book.
type matchPayload struct {
	Lists   []int64 `json:"lists,omitempty"`
	Account int64   `json:"account_id,omitempty"`
}

// MatchSummary is the outcome of one matching run.
type MatchSummary struct {
	Entries    int64           `json:"entries"`     // address-book entries looked at
	NewMatches int64           `json:"new_matches"` // matches shown to mailers for the first time
	Superseded int64           `json:"superseded"`  // pending matches no longer true
	Accounts   map[int64]int64 `json:"-"`           // new matches per account
}

// namePred is true when COA record r names the person or firm of book keys k.
const namePred = `((r.move_type = 'business' AND k.firm_key <> '' AND r.firm_key = k.firm_key)
	OR (r.move_type = 'individual' AND k.last_key <> '' AND r.last_key = k.last_key AND r.first_keys && k.first_keys
		AND (r.middle_key = '' OR k.middle_key = '' OR r.middle_key = k.middle_key))
	OR (r.move_type = 'family' AND k.last_key <> '' AND r.last_key = k.last_key))`

// nameMatchExpr says how the names of record r and book keys k matched
// (see NameMatch*): the first element of both first-name arrays is the name
// as written.
const nameMatchExpr = `CASE r.move_type WHEN 'business' THEN 'firm' WHEN 'family' THEN 'last_name'
	ELSE CASE WHEN r.first_keys[1] = k.first_keys[1] THEN 'exact' ELSE 'nickname' END END`

// RunMatchJob runs a coa_match job's payload (the worker calls it).
func (c *Service) RunMatchJob(ctx context.Context, payload []byte, progress func(msg string)) (MatchSummary, error) {
	var p matchPayload
	if err := jsonUnmarshal(payload, &p); err != nil || (len(p.Lists) == 0 && p.Account == 0) {
		return MatchSummary{}, fmt.Errorf("coa: coa_match: bad payload %s: %w", payload, jobsSkipRetry)
	}
	return c.match(ctx, p, progress)
}

// MatchLists matches the keys of the given lists against every mailer's
// address book (a new list arrived, or lists were withdrawn or replaced).
// Only addresses a list names — and addresses that moved to them, for
// chains — are looked at.
func (c *Service) MatchLists(ctx context.Context, lists ...int64) (MatchSummary, error) {
	return c.match(ctx, matchPayload{Lists: lists}, nil)
}

// MatchAccount matches one mailer's whole address book against the lists in
// service (after an import or an edit).
func (c *Service) MatchAccount(ctx context.Context, accountID int64) (MatchSummary, error) {
	return c.match(ctx, matchPayload{Account: accountID}, nil)
}

func (c *Service) match(ctx context.Context, p matchPayload, progress func(msg string)) (MatchSummary, error) {
	say := func(msg string) {
		if progress != nil {
			progress(msg)
		}
	}
	sum := MatchSummary{Accounts: map[int64]int64{}}
	now := c.now().UTC()
	err := pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
		step := func(what, sql string, args ...any) (int64, error) {
			t0 := time.Now()
			tag, err := tx.Exec(ctx, sql, args...)
			if err != nil {
				return 0, fmt.Errorf("%s: %w", what, err)
			}
			slog.Debug("coa: match step", "step", what, "rows", tag.RowsAffected(), "seconds", time.Since(t0).Seconds())
			return tag.RowsAffected(), nil
		}
		// The run's joins and aggregates need memory, and may use both
		// cores (match_run_schema.go).
		if _, err := step("work memory", runSettings); err != nil {
			return err
		}
		// One run at a time: a run then owns every match and name key it
		// writes, so both are written with plain INSERT and COPY rather than
		// ON CONFLICT, which costs a speculative insertion per row.
		if _, err := step("lock", `SELECT pg_advisory_xact_lock(hashtext('coa_match'))`); err != nil {
			return err
		}
		schema, err := createRunSchema(ctx, tx)
		if err != nil {
			return err
		}
		say("finding the addresses to match")
		if len(p.Lists) > 0 {
			// The lists' old addresses, and the addresses that moved to them
			// (for chains), up to four moves back. Not deduplicated: the
			// entries are a semi-join on it (match_book_scope.go), so the keys
			// are hashed once, there; the backward walk starts from the
			// records that moved to a listed address, which are few.
			if _, err = step("scope keys", `CREATE UNLOGGED TABLE coa_keys AS
				WITH RECURSIVE back(key, depth) AS (
					SELECT r.old_key, 1 FROM coa_records r
					WHERE r.new_key <> '' AND r.new_key IN (SELECT old_key FROM coa_records WHERE list_id = ANY($1))
					UNION
					SELECT r.old_key, b.depth + 1 FROM back b JOIN coa_records r ON r.new_key = b.key WHERE b.depth < 4 AND r.new_key <> ''
				) SELECT old_key AS key FROM coa_records WHERE list_id = ANY($1)
				UNION ALL SELECT key FROM back`, p.Lists); err != nil {
				return err
			}
			if _, err = step("analyze", `ANALYZE coa_keys`); err != nil {
				return err
			}
			sum.Entries, err = scopeListEntries(step)
		} else {
			sum.Entries, err = scopeAccountEntries(step, p.Account)
		}
		if err != nil {
			return err
		}
		if _, err = step("index entries", `ALTER TABLE coa_entries ADD PRIMARY KEY (id)`); err != nil {
			return err
		}
		if _, err = step("analyze", `ANALYZE coa_entries`); err != nil {
			return err
		}
		say(fmt.Sprintf("%d addresses: refreshing name keys", sum.Entries))
		t0 := time.Now()
		if err := c.refreshBookKeys(ctx, tx); err != nil {
			return err
		}
		slog.Debug("coa: match step", "step", "name keys", "seconds", time.Since(t0).Seconds())
		say(fmt.Sprintf("%d addresses: matching", sum.Entries))
		if _, err = step("candidates", topSQL, c.cutoff(now)); err != nil {
			return err
		}
		if _, err = step("hard entries", hardSQL); err != nil {
			return err
		}
		if _, err = step("chosen", easySQL); err != nil {
			return err
		}
		if _, err = step("chosen by chains", chooseSQL); err != nil {
			return err
		}
		say("recording matches")
		if sum.Superseded, err = step("supersede", `UPDATE coa_matches m SET status = 'superseded', decided_at = $1
			WHERE m.status = 'pending' AND m.entry_id IN (SELECT id FROM coa_entries)
			AND NOT EXISTS (SELECT 1 FROM coa_chosen c WHERE c.entry_id = m.entry_id AND c.final_id = m.final_id AND c.code = m.code)`, now); err != nil {
			return err
		}
		// A match already recorded is shown again only when it had been
		// superseded or withdrawn; the others are new rows. The recorded ones
		// are taken out of coa_chosen first, so that the INSERT never reads
		// the table it writes: planned against an empty coa_matches, an
		// anti-join in the INSERT became a nested loop that scanned every row
		// inserted so far for each new one (a million did not finish in ten
		// minutes).
		count := func(what, sql string) error {
			t0 := time.Now()
			rows, err := tx.Query(ctx, sql, now)
			if err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			var total int64
			for rows.Next() {
				var acct, n int64
				if err := rows.Scan(&acct, &n); err != nil {
					rows.Close()
					return fmt.Errorf("%s: %w", what, err)
				}
				sum.Accounts[acct] += n
				total += n
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			sum.NewMatches += total
			slog.Debug("coa: match step", "step", what, "rows", total, "seconds", time.Since(t0).Seconds())
			return nil
		}
		if err := count("show again", `WITH again AS (
				UPDATE coa_matches m SET status = 'pending', notified_at = NULL, decided_at = NULL, created_at = $1, name_match = c.name_match
				FROM coa_chosen c WHERE m.entry_id = c.entry_id AND m.final_id = c.final_id AND m.code = c.code AND m.status IN ('superseded', 'withdrawn')
				RETURNING m.id, m.account_id),
			undecided AS (DELETE FROM coa_match_deciders d USING again a WHERE d.match_id = a.id)
			SELECT account_id, count(*) FROM again GROUP BY account_id`); err != nil {
			return err
		}
		if _, err := step("recorded", `DELETE FROM coa_chosen c USING coa_matches m
			WHERE m.entry_id = c.entry_id AND m.final_id = c.final_id AND m.code = c.code`); err != nil {
			return err
		}
		if err := count("insert matches", `WITH ins AS (
				INSERT INTO coa_matches (account_id, entry_id, record_id, final_id, list_id, code, tier, name_match, old_key, new_key, created_at)
				SELECT account_id, entry_id, record_id, final_id, list_id, code, tier, name_match, old_key, new_key, $1 FROM coa_chosen
				RETURNING account_id)
			SELECT account_id, count(*) FROM ins GROUP BY account_id`); err != nil {
			return err
		}
		_, err = step("drop working tables", dropRunSchema(schema))
		return err
	})
	if err != nil {
		return MatchSummary{}, fmt.Errorf("coa: match change-of-address lists: %w", err)
	}
	say(fmt.Sprintf("%d new matches; emailing account owners", sum.NewMatches))
	c.notifyAccounts(ctx, sum.Accounts)
	return sum, nil
}

// notifyAccounts emails each account owner once about the new matches of a
// run. A failed email is logged; the matches are on the page anyway.
func (c *Service) notifyAccounts(ctx context.Context, counts map[int64]int64) {
	if c.notify == nil {
		return
	}
	for acct, n := range counts {
		if n == 0 {
			continue
		}
		owner, err := c.owners.AccountOwner(ctx, acct)
		if err != nil {
			slog.Warn("coa: no owner to notify", "account", acct, "err", err)
			continue
		}
		subject := fmt.Sprintf("%d of your recipients moved", n)
		if n == 1 {
			subject = "One of your recipients moved"
		}
		var b strings.Builder
		fmt.Fprintf(&b, "Hello %s,\n\nThe latest change-of-address lists show %d new move(s) among your address book's recipients.\n", owner.Name, n)
		fmt.Fprintf(&b, "Review each one and accept the new address or dismiss it:\n\n  %s/coa\n\nIndicia\n", strings.TrimRight(c.baseURL, "/"))
		if err := c.notify(ctx, owner.Email, subject, b.String()); err != nil {
			slog.Warn("coa: notification email failed", "account", acct, "err", err)
			continue
		}
		_, _ = c.pool.Exec(ctx, `UPDATE coa_matches SET notified_at = $2 WHERE account_id = $1 AND status = 'pending' AND notified_at IS NULL`, acct, c.now().UTC())
	}
}
