-- +goose Up
-- Address-book name keys are a cache that every matching run refreshes
-- (stale or missing keys are recomputed from address_book), so they need no
-- WAL: after a crash the table is empty and the next run rebuilds the keys
-- of the entries it matches. A first run over a million entries writes a
-- million keys.
ALTER TABLE coa_book_keys SET UNLOGGED;

-- +goose Down
ALTER TABLE coa_book_keys SET LOGGED;
