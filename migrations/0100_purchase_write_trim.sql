-- +goose Up
-- Less for every purchase to write synchronously. Each dropped index is
-- served by another with the same leading key; each dropped foreign key
-- holds by construction:
--   indicia_refund_idx: the same key and predicate as
--     indicia_unscanned_mailing_idx, which also covers more columns.
--   ledger_account_idx: a prefix of ledger_account_created_idx.
--   indicia.account_id, indicia.meter_id and purchases.account_id: copied,
--     in the purchase's transaction, from the meter row it holds locked
--     (meters.account_id keeps its key to master_accounts; meters and
--     accounts are never deleted), and indicia.purchase_id keeps its key to
--     purchases, whose meter_id keeps its key to meters. The checks took a
--     shared lock on the account row per purchase: a WAL record each.
DROP INDEX indicia_refund_idx;
DROP INDEX ledger_account_idx;
ALTER TABLE indicia DROP CONSTRAINT indicia_account_id_fkey, DROP CONSTRAINT indicia_meter_id_fkey;
ALTER TABLE purchases DROP CONSTRAINT purchases_account_id_fkey;

-- +goose Down
ALTER TABLE purchases ADD CONSTRAINT purchases_account_id_fkey FOREIGN KEY (account_id) REFERENCES master_accounts(id);
ALTER TABLE indicia ADD CONSTRAINT indicia_meter_id_fkey FOREIGN KEY (meter_id) REFERENCES meters(id),
    ADD CONSTRAINT indicia_account_id_fkey FOREIGN KEY (account_id) REFERENCES master_accounts(id);
CREATE INDEX ledger_account_idx ON ledger_entries (account);
CREATE INDEX indicia_refund_idx ON indicia (mailing_date) WHERE status = 'issued' AND used_at IS NULL;
