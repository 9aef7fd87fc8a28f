-- +goose Up
-- One ledger transfer per meter and dispensing statement, instead of one per
-- statement: a cross-meter group commit stores the indicia of many meters in
-- one INSERT, and the zero-sum check (a deferred row trigger that sums the
-- row's transfer) would otherwise read the whole statement's transfer once
-- per row, quadratic in the meters per commit. Each meter's debit still
-- balances its own post-office credits.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION ledger_on_dispense() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE t text := 'dispense:' || gen_random_uuid() || ':';
BEGIN
    INSERT INTO ledger_entries (transfer_id, account, amount, kind, meter_id, origin_zip, pieces)
    SELECT t || meter_id, 'meter:' || meter_id, -sum(postage), 'dispense', meter_id, NULL, 0 FROM new_indicia GROUP BY meter_id
    UNION ALL
    SELECT t || meter_id, 'postal_revenue:' || origin_zip, sum(postage), 'dispense', meter_id, origin_zip, count(*) FROM new_indicia GROUP BY meter_id, origin_zip;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION ledger_on_dispense() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE t text := 'dispense:' || gen_random_uuid();
BEGIN
    INSERT INTO ledger_entries (transfer_id, account, amount, kind, meter_id, origin_zip, pieces)
    SELECT t, 'meter:' || meter_id, -sum(postage), 'dispense', meter_id, NULL, 0 FROM new_indicia GROUP BY meter_id
    UNION ALL
    SELECT t, 'postal_revenue:' || origin_zip, sum(postage), 'dispense', meter_id, origin_zip, count(*) FROM new_indicia GROUP BY meter_id, origin_zip;
    RETURN NULL;
END $$;
-- +goose StatementEnd
