package coa

// The two statements below are the only SQL of this package that reads a
// table it does not own (address_book, package addressbook's). Set-based
// matching joins the whole book against the lists' keys inside one
// transaction; going through package addressbook would load every entry into
// memory, which is what set-based matching exists to avoid. They copy the
// in-scope entries into the temp table coa_entries, and every later step of
// a run reads that copy.

// stepper runs one statement of a matching run and returns its row count.
type stepper func(what, sql string, args ...any) (int64, error)

// scopeListEntries copies into coa_entries the entries at an address the
// lists name, or at an address that moved (up to four moves back) to one
// they name, whose chains the lists may extend. The keys are a semi-join,
// not a table of their own: each key is hashed once.
func scopeListEntries(step stepper, lists []int64) (int64, error) {
	return step("scope entries", `CREATE TEMP TABLE coa_entries ON COMMIT DROP AS
		SELECT b.id, b.account_id, b.match_key, b.name, b.company FROM address_book b
		WHERE b.match_key <> '' AND b.match_key IN (
			WITH RECURSIVE back(key, depth) AS (
				SELECT old_key, 0 FROM coa_records WHERE list_id = ANY($1)
				UNION
				SELECT r.old_key, b.depth + 1 FROM back b JOIN coa_records r ON r.new_key = b.key WHERE b.depth < 4 AND r.new_key <> ''
			) SELECT key FROM back)`, lists)
}

// scopeAccountEntries copies every keyed entry of one account into
// coa_entries.
func scopeAccountEntries(step stepper, accountID int64) (int64, error) {
	return step("scope entries", `CREATE TEMP TABLE coa_entries ON COMMIT DROP AS
		SELECT b.id, b.account_id, b.match_key, b.name, b.company FROM address_book b WHERE b.account_id = $1 AND b.match_key <> ''`, accountID)
}
