-- +goose Up
-- Matching a million address-book entries writes a million matches and a
-- million name keys, each in one statement. Master accounts are never
-- deleted, so the account reference of a match only cost one RI trigger
-- (a SELECT ... FOR KEY SHARE) per written row; every read of a match is
-- scoped by its account anyway (as 0061 did for the other references). The
-- name keys are joined by entry_id only: their account index was written
-- and never read. No query of matches can use the indexes on list_id and
-- final_id: withdrawing a list finds its matches by list_id OR a record of
-- the list (a scan of the pending matches), and every read joins a match to
-- its record through the record's primary key.
ALTER TABLE coa_matches DROP CONSTRAINT coa_matches_account_id_fkey;
DROP INDEX coa_book_keys_account_idx;
DROP INDEX coa_matches_list_idx;
DROP INDEX coa_matches_final_idx;

-- +goose Down
CREATE INDEX coa_matches_final_idx ON coa_matches (final_id);
CREATE INDEX coa_matches_list_idx ON coa_matches (list_id);
CREATE INDEX coa_book_keys_account_idx ON coa_book_keys (account_id);
ALTER TABLE coa_matches ADD CONSTRAINT coa_matches_account_id_fkey FOREIGN KEY (account_id) REFERENCES master_accounts(id) ON DELETE CASCADE;
