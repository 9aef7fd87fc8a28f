-- +goose Up
-- Bulk paths of the change-of-address service: foreign keys on the rows
-- written millions at a time cost one RI trigger (a SELECT ... FOR KEY SHARE
-- on the parent row) per inserted row. Measured on 300,000 matches, inserting
-- into coa_matches took longer than all the matching joins together. The
-- code keeps the references: coa_records rows belong to a list that is never
-- deleted (only withdrawn); matches and name keys of a deleted address-book
-- entry are never shown, because every read joins address_book.
ALTER TABLE coa_records   DROP CONSTRAINT coa_records_list_id_fkey;
ALTER TABLE coa_book_keys DROP CONSTRAINT coa_book_keys_entry_id_fkey;
ALTER TABLE coa_matches   DROP CONSTRAINT coa_matches_entry_id_fkey;
ALTER TABLE coa_matches   DROP CONSTRAINT coa_matches_record_id_fkey;
ALTER TABLE coa_matches   DROP CONSTRAINT coa_matches_final_id_fkey;
ALTER TABLE coa_matches   DROP CONSTRAINT coa_matches_list_id_fkey;

-- +goose Down
ALTER TABLE coa_matches   ADD CONSTRAINT coa_matches_list_id_fkey FOREIGN KEY (list_id) REFERENCES coa_lists(id) ON DELETE CASCADE;
ALTER TABLE coa_matches   ADD CONSTRAINT coa_matches_final_id_fkey FOREIGN KEY (final_id) REFERENCES coa_records(id) ON DELETE CASCADE;
ALTER TABLE coa_matches   ADD CONSTRAINT coa_matches_record_id_fkey FOREIGN KEY (record_id) REFERENCES coa_records(id) ON DELETE CASCADE;
ALTER TABLE coa_matches   ADD CONSTRAINT coa_matches_entry_id_fkey FOREIGN KEY (entry_id) REFERENCES address_book(id) ON DELETE CASCADE;
ALTER TABLE coa_book_keys ADD CONSTRAINT coa_book_keys_entry_id_fkey FOREIGN KEY (entry_id) REFERENCES address_book(id) ON DELETE CASCADE;
ALTER TABLE coa_records   ADD CONSTRAINT coa_records_list_id_fkey FOREIGN KEY (list_id) REFERENCES coa_lists(id) ON DELETE CASCADE;
