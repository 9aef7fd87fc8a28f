package coa

// tierNameExpr names a candidate's tier (1, 2, 3) and outcomeExpr its
// outcome from the address it moved to, on a row with those columns; the
// direct result (easySQL) and the chains' (chooseSQL) must spell them alike.
const (
	tierNameExpr = `CASE tier WHEN 1 THEN 'business' WHEN 2 THEN 'individual' ELSE 'family' END`
	outcomeExpr  = `CASE WHEN new_key <> '' THEN 'new_address' WHEN po_box_closed THEN 'po_box_closed' ELSE 'moved_left_no_address' END`
)

// topSQL writes coa_top: an entry's candidates of its best tier only
// (business, then individual, then family) at its address within the window
// ($1), each carrying what the result needs (the record's address and date,
// the entry's name keys), so no record or key is looked up again. It is a
// table of its own so that the chains are planned with its true size.
const topSQL = `CREATE UNLOGGED TABLE coa_top AS
	SELECT entry_id, account_id, old_key, record_id, list_id, new_key, effective, po_box_closed,
		first_keys, middle_key, last_key, firm_key, tier, name_match FROM (
		SELECT e.id AS entry_id, e.account_id, e.match_key AS old_key, r.id AS record_id, r.list_id,
			r.new_key, r.effective, r.po_box_closed,
			k.first_keys, k.middle_key, k.last_key, k.firm_key,
			CASE r.move_type WHEN 'business' THEN 1 WHEN 'individual' THEN 2 ELSE 3 END AS tier,
			` + nameMatchExpr + ` AS name_match,
			min(CASE r.move_type WHEN 'business' THEN 1 WHEN 'individual' THEN 2 ELSE 3 END) OVER (PARTITION BY e.id) AS best
		FROM coa_entries e
		JOIN coa_book_keys k ON k.entry_id = e.id
		JOIN coa_records r ON r.old_key = e.match_key
		JOIN coa_lists l ON l.id = r.list_id AND l.status = 'active'
		WHERE r.effective >= $1 AND ` + namePred + `) c
	WHERE tier = best`

// hardSQL writes coa_hard: the entries whose result needs the chains below,
// those with more than one candidate at their best tier or with a candidate
// whose new address some record moved away from (a superset of the chains'
// next step). Most entries have one candidate and no later move: easySQL
// writes their result directly, which spares a million rows the recursive
// query and its three sorts.
const hardSQL = `CREATE UNLOGGED TABLE coa_hard AS
	SELECT entry_id FROM coa_top GROUP BY entry_id HAVING count(*) > 1
	UNION
	SELECT t.entry_id FROM coa_top t
	WHERE t.new_key <> '' AND EXISTS (SELECT 1 FROM coa_records r WHERE r.old_key = t.new_key)`

// easySQL writes coa_chosen with the result of every entry not in coa_hard:
// its one candidate, which is its own end of chain, so the result is what
// chooseSQL would give a chain of one (final_id is the record, never
// ambiguous).
const easySQL = `CREATE UNLOGGED TABLE coa_chosen AS
	SELECT t.entry_id, t.account_id, t.record_id, t.record_id AS final_id, t.list_id, t.old_key,
		` + tierNameExpr + ` AS tier,
		t.name_match,
		` + outcomeExpr + ` AS code,
		t.new_key
	FROM coa_top t WHERE NOT EXISTS (SELECT 1 FROM coa_hard h WHERE h.entry_id = t.entry_id)`

// chooseSQL adds to coa_chosen, for each entry of coa_hard, the one result of
// the run, in one statement: the chains live in work memory rather than in
// a temporary table, and each chain row carries its candidate's columns.
//
//   - chain: from each candidate, later moves of the same name from the
//     address it moved to (A→B, B→C), up to five;
//   - last: per candidate, the end of its longest chain (the latest move
//     among equals);
//   - the result per entry is its latest move; different outcomes for one
//     name and address are ambiguous (the outcomes of an entry differ
//     exactly when their least and greatest differ).
//
// In the recursive step the chain row is aliased k, so that namePred
// compares the next record with the entry's name keys.
const chooseSQL = `INSERT INTO coa_chosen (entry_id, account_id, record_id, final_id, list_id, old_key, tier, name_match, code, new_key)
	WITH RECURSIVE chain AS (
		SELECT entry_id, account_id, old_key, record_id, list_id, tier, name_match, first_keys, middle_key, last_key, firm_key,
			record_id AS cur_id, new_key, effective, po_box_closed, 0 AS depth
		FROM coa_top WHERE entry_id IN (SELECT entry_id FROM coa_hard)
		UNION ALL
		SELECT k.entry_id, k.account_id, k.old_key, k.record_id, k.list_id, k.tier, k.name_match, k.first_keys, k.middle_key, k.last_key, k.firm_key,
			r.id, r.new_key, r.effective, r.po_box_closed, k.depth + 1
		FROM chain k
		JOIN coa_records r ON r.old_key = k.new_key AND r.effective >= k.effective AND r.id <> k.cur_id
		JOIN coa_lists l ON l.id = r.list_id AND l.status = 'active'
		WHERE k.new_key <> '' AND k.depth < 5 AND ` + namePred + `),
	last AS (
		SELECT DISTINCT ON (entry_id, record_id) entry_id, account_id, old_key, record_id, list_id, tier, name_match,
			cur_id AS final_id, new_key, effective,
			` + outcomeExpr + ` AS code
		FROM chain ORDER BY entry_id, record_id, depth DESC, effective DESC, cur_id)
	SELECT DISTINCT ON (x.entry_id) x.entry_id, x.account_id, x.record_id, x.final_id, x.list_id, x.old_key,
		` + tierNameExpr + ` AS tier,
		x.name_match,
		CASE WHEN x.lo <> x.hi THEN 'ambiguous' ELSE x.code END AS code,
		CASE WHEN x.lo <> x.hi THEN '' ELSE x.new_key END AS new_key
	FROM (SELECT y.*, min(y.code || '|' || y.new_key) OVER w AS lo, max(y.code || '|' || y.new_key) OVER w AS hi FROM last y
		WINDOW w AS (PARTITION BY y.entry_id ORDER BY y.effective DESC, y.final_id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)) x
	ORDER BY x.entry_id, x.effective DESC, x.final_id`
