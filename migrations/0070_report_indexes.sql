-- +goose Up
-- The transaction register reads an account's pieces in (created_at, id)
-- order and pages with that pair as its cursor; this index serves both, so
-- a download streams without a sort. The included columns are what the
-- spend summary adds up and groups by, so a year of an account's pieces is
-- summed from the index alone (an index-only scan), not the table. It
-- replaces the label history's index of the same key, which a backward scan
-- of this one serves as well.
DROP INDEX IF EXISTS indicia_account_created_id_idx;
CREATE INDEX indicia_account_created_id_idx ON indicia (account_id, created_at, id)
    INCLUDE (postage, status, meter_id, cost_code_id, mail_class, origin_zip);
-- The refunds report reads an account's voids by the time they happened.
CREATE INDEX indicia_account_voided_at_idx ON indicia (account_id, voided_at) WHERE status = 'voided';
-- The register finds a trickle purchase's card fee through its charge.
CREATE INDEX charges_purchase_idx ON charges (purchase_public_id) WHERE purchase_public_id <> '';
-- The funding history reads a meter's ledger account over a period.
CREATE INDEX ledger_account_created_idx ON ledger_entries (account, created_at, id);

-- +goose Down
DROP INDEX ledger_account_created_idx;
DROP INDEX charges_purchase_idx;
DROP INDEX indicia_account_voided_at_idx;
DROP INDEX indicia_account_created_id_idx;
CREATE INDEX indicia_account_created_id_idx ON indicia (account_id, created_at DESC, id DESC);
