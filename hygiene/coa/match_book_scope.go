package coa

// The two statements below are the only SQL of this package that reads a
// table it does not own (address_book, package addressbook's). Set-based
// matching joins the whole book against the lists' keys inside one
// transaction; going through package addressbook would load every entry into
// memory, which is what set-based matching exists to avoid. They copy the
// in-scope entries into the working table coa_entries, and every later step of
// a run reads that copy.

// stepper runs one statement of a matching run and returns its row count.
type stepper func(what, sql string, args ...any) (int64, error)

// scopeListEntries copies the entries at an address the scoped lists name
// (working table coa_keys, which may name an address more than once) into
// coa_entries.
func scopeListEntries(step stepper) (int64, error) {
	return step("scope entries", `CREATE UNLOGGED TABLE coa_entries AS
		SELECT b.id, b.account_id, b.match_key, b.name, b.company FROM address_book b WHERE b.match_key IN (SELECT key FROM coa_keys)`)
}

// scopeAccountEntries copies every keyed entry of one account into
// coa_entries.
func scopeAccountEntries(step stepper, accountID int64) (int64, error) {
	return step("scope entries", `CREATE UNLOGGED TABLE coa_entries AS
		SELECT b.id, b.account_id, b.match_key, b.name, b.company FROM address_book b WHERE b.account_id = $1 AND b.match_key <> ''`, accountID)
}
