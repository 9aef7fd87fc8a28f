-- +goose Up
-- A refund or dispute made outside Indicia is taken back out of the meter
-- after it is booked: meter_debited is what the meter gave back (NULL: not
-- yet; the rest stays owed on the customer's ledger account).
ALTER TABLE refunds ADD COLUMN meter_debited bigint CHECK (meter_debited >= 0);
CREATE INDEX refunds_debit_due_idx ON refunds (id) WHERE meter_debited IS NULL AND reason LIKE 'outside_%';

-- Funds moved into a meter come from where the transfer's reason says; a
-- debit (negative amount) goes back the same way, so money taken back for
-- an outside refund lowers what the customer owes.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION ledger_on_transfer() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE src text; k text;
BEGIN
    src := CASE NEW.reason
        WHEN 'card_payment' THEN 'customer:' || NEW.account_id
        WHEN 'trickle_charge' THEN 'customer:' || NEW.account_id
        WHEN 'outside_refund' THEN 'customer:' || NEW.account_id
        WHEN 'outside_dispute' THEN 'customer:' || NEW.account_id
        WHEN 'void_refund' THEN 'refunds'
        WHEN 'admin_credit' THEN 'vendor_grants'
        ELSE 'vendor_grants' END;
    k := CASE WHEN NEW.amount < 0 THEN 'debit' ELSE 'credit' END;
    INSERT INTO ledger_entries (transfer_id, account, amount, kind, meter_id) VALUES
        (k || ':' || NEW.transfer_id, src, -NEW.amount, k, NEW.meter_id),
        (k || ':' || NEW.transfer_id, 'meter:' || NEW.meter_id, NEW.amount, k, NEW.meter_id);
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION ledger_on_transfer() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE src text;
BEGIN
    src := CASE NEW.reason
        WHEN 'card_payment' THEN 'customer:' || NEW.account_id
        WHEN 'trickle_charge' THEN 'customer:' || NEW.account_id
        WHEN 'void_refund' THEN 'refunds'
        WHEN 'admin_credit' THEN 'vendor_grants'
        ELSE 'vendor_grants' END;
    INSERT INTO ledger_entries (transfer_id, account, amount, kind, meter_id) VALUES
        ('credit:' || NEW.transfer_id, src, -NEW.amount, 'credit', NEW.meter_id),
        ('credit:' || NEW.transfer_id, 'meter:' || NEW.meter_id, NEW.amount, 'credit', NEW.meter_id);
    RETURN NULL;
END $$;
-- +goose StatementEnd
DROP INDEX refunds_debit_due_idx;
ALTER TABLE refunds DROP COLUMN meter_debited;
