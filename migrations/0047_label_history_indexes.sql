-- +goose Up
-- The label history pages by keyset: (created_at, id) for the date order and
-- (postage, id) for the postage order, each within one account. The first
-- replaces the account index, which lacked the id that breaks ties between
-- labels of one purchase (they share created_at).
CREATE INDEX indicia_account_created_id_idx ON indicia (account_id, created_at DESC, id DESC);
DROP INDEX indicia_account_idx;
CREATE INDEX indicia_account_postage_idx ON indicia (account_id, postage, id);
-- Voided and refunded labels are few: a partial index finds them without
-- walking the account's whole history.
CREATE INDEX indicia_account_voided_idx ON indicia (account_id, created_at DESC, id DESC) WHERE status = 'voided';
-- The date-of-mailing range filter.
CREATE INDEX indicia_account_mailing_idx ON indicia (account_id, mailing_date, id);
-- Recipient search is text anywhere in the name, company, address or ZIP: a
-- trigram index finds a rare name without reading the account's history.
-- The expression must stay exactly metering.recipientSearchText.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX indicia_recipient_trgm_idx ON indicia USING gin ((coalesce(recipient->>'name', '') || ' ' || coalesce(recipient->>'company', '') || ' ' ||
    coalesce(recipient->>'lines', '') || ' ' || dest_zip) gin_trgm_ops);

-- +goose Down
DROP INDEX indicia_recipient_trgm_idx;
DROP INDEX indicia_account_mailing_idx;
DROP INDEX indicia_account_voided_idx;
DROP INDEX indicia_account_postage_idx;
CREATE INDEX indicia_account_idx ON indicia (account_id, created_at DESC);
DROP INDEX indicia_account_created_id_idx;
