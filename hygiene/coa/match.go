package coa

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
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
		// Joins on large temp tables need their statistics.
		if _, err := step("work memory", `SET LOCAL work_mem = '256MB'`); err != nil {
			return err
		}
		say("finding the addresses to match")
		var err error
		if len(p.Lists) > 0 {
			if _, err = step("scope keys", `CREATE TEMP TABLE coa_keys ON COMMIT DROP AS
				WITH RECURSIVE back(key, depth) AS (
					SELECT DISTINCT old_key, 0 FROM coa_records WHERE list_id = ANY($1)
					UNION
					SELECT r.old_key, b.depth + 1 FROM back b JOIN coa_records r ON r.new_key = b.key WHERE b.depth < 4 AND r.new_key <> ''
				) SELECT DISTINCT key FROM back`, p.Lists); err != nil {
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
		// Business first, then individual, then family: only the best tier
		// of an entry's candidates is kept (one pass, no table of them all).
		if _, err = step("candidates", `CREATE TEMP TABLE coa_top ON COMMIT DROP AS
			SELECT entry_id, account_id, old_key, record_id, list_id, effective, tier, name_match FROM (
				SELECT e.id AS entry_id, e.account_id, e.match_key AS old_key, r.id AS record_id, r.list_id, r.effective,
					CASE r.move_type WHEN 'business' THEN 1 WHEN 'individual' THEN 2 ELSE 3 END AS tier,
					`+nameMatchExpr+` AS name_match,
					min(CASE r.move_type WHEN 'business' THEN 1 WHEN 'individual' THEN 2 ELSE 3 END) OVER (PARTITION BY e.id) AS best
				FROM coa_entries e
				JOIN coa_book_keys k ON k.entry_id = e.id
				JOIN coa_records r ON r.old_key = e.match_key
				JOIN coa_lists l ON l.id = r.list_id AND l.status = 'active'
				WHERE r.effective >= $1 AND `+namePred+`) c
			WHERE tier = best`, c.cutoff(now)); err != nil {
			return err
		}
		// Chains A→B, B→C: follow later moves of the same name to the latest address.
		if _, err = step("chains", `CREATE TEMP TABLE coa_final ON COMMIT DROP AS
			WITH RECURSIVE chain AS (
				SELECT t.entry_id, t.record_id, t.record_id AS cur_id, r.new_key, r.effective, 0 AS depth
				FROM coa_top t JOIN coa_records r ON r.id = t.record_id
				UNION ALL
				SELECT ch.entry_id, ch.record_id, r.id, r.new_key, r.effective, ch.depth + 1
				FROM chain ch
				JOIN coa_records r ON r.old_key = ch.new_key AND r.effective >= ch.effective AND r.id <> ch.cur_id
				JOIN coa_lists l ON l.id = r.list_id AND l.status = 'active'
				JOIN coa_book_keys k ON k.entry_id = ch.entry_id
				WHERE ch.new_key <> '' AND ch.depth < 5 AND `+namePred+`
			)
			SELECT DISTINCT ON (entry_id, record_id) entry_id, record_id, cur_id AS final_id
			FROM chain ORDER BY entry_id, record_id, depth DESC, effective DESC, cur_id`); err != nil {
			return err
		}
		// One result per entry, the latest move; different outcomes for one
		// name and address are ambiguous (the outcomes of an entry differ
		// exactly when their least and greatest differ).
		if _, err = step("chosen", `CREATE TEMP TABLE coa_chosen ON COMMIT DROP AS
			SELECT DISTINCT ON (x.entry_id) x.entry_id, x.account_id, x.record_id, x.final_id, x.list_id, x.old_key,
				CASE x.tier WHEN 1 THEN 'business' WHEN 2 THEN 'individual' ELSE 'family' END AS tier,
				x.name_match,
				CASE WHEN x.lo <> x.hi THEN 'ambiguous' ELSE x.code END AS code,
				CASE WHEN x.lo <> x.hi THEN '' ELSE x.new_key END AS new_key
			FROM (SELECT y.*, min(y.outcome) OVER w AS lo, max(y.outcome) OVER w AS hi FROM (
				SELECT t.entry_id, t.account_id, t.old_key, t.tier, t.name_match, t.list_id, f.record_id, f.final_id, r.new_key, r.effective,
					CASE WHEN r.new_key <> '' THEN 'new_address' WHEN r.po_box_closed THEN 'po_box_closed' ELSE 'moved_left_no_address' END AS code,
					(CASE WHEN r.new_key <> '' THEN 'new_address' WHEN r.po_box_closed THEN 'po_box_closed' ELSE 'moved_left_no_address' END) || '|' || r.new_key AS outcome
				FROM coa_final f JOIN coa_top t ON t.entry_id = f.entry_id AND t.record_id = f.record_id
				JOIN coa_records r ON r.id = f.final_id) y
				WINDOW w AS (PARTITION BY y.entry_id)) x
			ORDER BY x.entry_id, x.effective DESC, x.final_id`); err != nil {
			return err
		}
		if _, err = step("index chosen", `CREATE INDEX ON coa_chosen (entry_id)`); err != nil {
			return err
		}
		say("recording matches")
		if sum.Superseded, err = step("supersede", `UPDATE coa_matches m SET status = 'superseded', decided_at = $1
			WHERE m.status = 'pending' AND m.entry_id IN (SELECT id FROM coa_entries)
			AND NOT EXISTS (SELECT 1 FROM coa_chosen c WHERE c.entry_id = m.entry_id AND c.final_id = m.final_id AND c.code = m.code)`, now); err != nil {
			return err
		}
		t0 = time.Now()
		rows, err := tx.Query(ctx, `WITH ins AS (
				INSERT INTO coa_matches (account_id, entry_id, record_id, final_id, list_id, code, tier, name_match, old_key, new_key, created_at)
				SELECT account_id, entry_id, record_id, final_id, list_id, code, tier, name_match, old_key, new_key, $1 FROM coa_chosen
				ON CONFLICT (entry_id, final_id, code) DO UPDATE SET status = 'pending', notified_at = NULL, decided_at = NULL,
					decided_by = NULL, created_at = EXCLUDED.created_at, name_match = EXCLUDED.name_match
				WHERE coa_matches.status IN ('superseded', 'withdrawn')
				RETURNING account_id)
			SELECT account_id, count(*) FROM ins GROUP BY account_id`, now)
		if err != nil {
			return fmt.Errorf("insert matches: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var acct, n int64
			if err := rows.Scan(&acct, &n); err != nil {
				return err
			}
			sum.Accounts[acct] = n
			sum.NewMatches += n
		}
		slog.Debug("coa: match step", "step", "insert matches", "rows", sum.NewMatches, "seconds", time.Since(t0).Seconds())
		return rows.Err()
	})
	if err != nil {
		return MatchSummary{}, fmt.Errorf("coa: match change-of-address lists: %w", err)
	}
	say(fmt.Sprintf("%d new matches; emailing account owners", sum.NewMatches))
	c.notifyAccounts(ctx, sum.Accounts)
	return sum, nil
}

// refreshBookKeys computes the name keys of the in-scope entries whose name
// or company changed since their keys were last computed, in pages of
// entries so that memory stays bounded.
func (c *Service) refreshBookKeys(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE coa_newkeys (LIKE coa_book_keys) ON COMMIT DROP`); err != nil {
		return fmt.Errorf("name keys: %w", err)
	}
	type stale struct {
		id, account   int64
		name, company string
	}
	var last int64
	const page = 50_000
	var tRead, tKeys, tCopy time.Duration
	for {
		t0 := time.Now()
		rows, err := tx.Query(ctx, `SELECT e.id, e.account_id, e.name, e.company FROM coa_entries e
			LEFT JOIN coa_book_keys k ON k.entry_id = e.id
			WHERE e.id > $1 AND (k.entry_id IS NULL OR k.name_src <> e.name OR k.company_src <> e.company)
			ORDER BY e.id LIMIT $2`, last, page)
		if err != nil {
			return fmt.Errorf("name keys: %w", err)
		}
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (stale, error) {
			var s stale
			return s, r.Scan(&s.id, &s.account, &s.name, &s.company)
		})
		if err != nil {
			return fmt.Errorf("name keys: %w", err)
		}
		tRead += time.Since(t0)
		if len(list) == 0 {
			break
		}
		t0 = time.Now()
		out := make([][]any, len(list))
		// The keys of a page are computed on every core: a million names
		// take seconds on one.
		var wg sync.WaitGroup
		n := runtime.GOMAXPROCS(0)
		for w := range n {
			wg.Go(func() {
				for i := w; i < len(list); i += n {
					s := list[i]
					k := c.fullNameKeys(s.name, s.company)
					if k.First == nil {
						k.First = []string{}
					}
					out[i] = []any{s.id, s.account, s.name, s.company, k.First, k.Middle, k.Last, k.Firm}
				}
			})
		}
		wg.Wait()
		tKeys += time.Since(t0)
		t0 = time.Now()
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"coa_newkeys"},
			[]string{"entry_id", "account_id", "name_src", "company_src", "first_keys", "middle_key", "last_key", "firm_key"}, pgx.CopyFromRows(out)); err != nil {
			return fmt.Errorf("name keys: %w", err)
		}
		tCopy += time.Since(t0)
		last = list[len(list)-1].id
		if len(list) < page {
			break
		}
	}
	t0 := time.Now()
	_, err := tx.Exec(ctx, `INSERT INTO coa_book_keys SELECT * FROM coa_newkeys
		ON CONFLICT (entry_id) DO UPDATE SET account_id = EXCLUDED.account_id, name_src = EXCLUDED.name_src, company_src = EXCLUDED.company_src,
			first_keys = EXCLUDED.first_keys, middle_key = EXCLUDED.middle_key, last_key = EXCLUDED.last_key, firm_key = EXCLUDED.firm_key`)
	if err != nil {
		return fmt.Errorf("name keys: %w", err)
	}
	slog.Debug("coa: name keys", "read", tRead.Seconds(), "compute", tKeys.Seconds(), "copy", tCopy.Seconds(), "upsert", time.Since(t0).Seconds())
	_, err = tx.Exec(ctx, `ANALYZE coa_book_keys`)
	return err
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
