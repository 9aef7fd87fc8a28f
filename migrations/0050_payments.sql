-- +goose Up
-- Card funding: Stripe customers and cards, funding mode per meter,
-- charges with their recovery phase, refunds, webhook events seen, and the
-- double-entry money ledger.

-- One Stripe customer per master account and the card on file.
CREATE TABLE billing_customers (
    account_id         bigint PRIMARY KEY REFERENCES master_accounts(id) ON DELETE CASCADE,
    stripe_customer_id text NOT NULL UNIQUE,
    payment_method_id  text NOT NULL DEFAULT '',
    brand              text NOT NULL DEFAULT '',
    last4              text NOT NULL DEFAULT '',
    exp_month          int NOT NULL DEFAULT 0,
    exp_year           int NOT NULL DEFAULT 0,
    email              text NOT NULL DEFAULT '',
    updated_at         timestamptz NOT NULL
);

-- How a meter is funded. No row: prepaid without auto-refill.
CREATE TABLE meter_funding (
    meter_id         bigint PRIMARY KEY REFERENCES meters(id),
    mode             text NOT NULL DEFAULT 'prepaid' CHECK (mode IN ('prepaid','trickle')),
    refill_amount    bigint NOT NULL DEFAULT 0 CHECK (refill_amount >= 0),
    refill_threshold bigint NOT NULL DEFAULT 0 CHECK (refill_threshold >= 0),
    refill_daily_cap bigint NOT NULL DEFAULT 0 CHECK (refill_daily_cap >= 0),
    updated_at       timestamptz NOT NULL
);

-- One card charge. status is the recovery point: every phase is committed
-- before the next call to Stripe, so a crash leaves a row that says exactly
-- what is left to do (payments.Reconcile).
--   staged   committed before the PaymentIntent call (crash: re-send with the same key, then finish)
--   unknown  Stripe did not answer and the mailer was told to try again (reconciler: refund if charged)
--   charged  the PaymentIntent succeeded
--   credited the meter holds the funds (trickle: dispense next)
--   done     trickle: labels dispensed; top-up/refill: credited
--   declined the card was declined: nothing charged, nothing dispensed
--   refunding / refunded
CREATE TABLE charges (
    id                 bigserial PRIMARY KEY,
    public_id          text NOT NULL UNIQUE,
    account_id         bigint NOT NULL REFERENCES master_accounts(id),
    meter_id           bigint NOT NULL REFERENCES meters(id),
    user_id            bigint REFERENCES users(id) ON DELETE SET NULL,
    kind               text NOT NULL CHECK (kind IN ('trickle','topup','refill')),
    status             text NOT NULL CHECK (status IN ('staged','unknown','charged','credited','done','declined','refunding','refunded')),
    idem_key           text NOT NULL UNIQUE,
    client_key         text,
    postage            bigint NOT NULL CHECK (postage >= 0),
    fee                bigint NOT NULL CHECK (fee >= 0),
    amount             bigint NOT NULL CHECK (amount > 0),
    customer_id        text NOT NULL,
    payment_method_id  text NOT NULL,
    card_brand         text NOT NULL DEFAULT '',
    card_last4         text NOT NULL DEFAULT '',
    payment_intent_id  text NOT NULL DEFAULT '',
    decline_code       text NOT NULL DEFAULT '',
    decline_message    text NOT NULL DEFAULT '',
    request            jsonb,
    purchase_public_id text NOT NULL DEFAULT '',
    refunded           bigint NOT NULL DEFAULT 0,
    attempts           int NOT NULL DEFAULT 0,
    last_error         text NOT NULL DEFAULT '',
    lease_until        timestamptz,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    UNIQUE (account_id, client_key)
);
CREATE INDEX charges_open_idx ON charges (updated_at) WHERE status IN ('staged','unknown','charged','credited','refunding');
CREATE INDEX charges_account_idx ON charges (account_id, created_at DESC);
CREATE INDEX charges_meter_idx ON charges (meter_id, kind, created_at);
CREATE INDEX charges_pi_idx ON charges (payment_intent_id) WHERE payment_intent_id <> '';

-- Refunds to the card (a voided trickle label, or a charge we could not finish).
CREATE TABLE refunds (
    id               bigserial PRIMARY KEY,
    charge_id        bigint NOT NULL REFERENCES charges(id),
    label_public_id  text,
    amount           bigint NOT NULL CHECK (amount > 0),
    reason           text NOT NULL,
    idem_key         text NOT NULL UNIQUE,
    stripe_refund_id text NOT NULL DEFAULT '',
    status           text NOT NULL CHECK (status IN ('pending','succeeded','failed')),
    created_at       timestamptz NOT NULL,
    UNIQUE (label_public_id)
);

-- Webhook events already handled: a redelivery is ignored.
CREATE TABLE stripe_events (
    event_id    text PRIMARY KEY,
    type        text NOT NULL,
    received_at timestamptz NOT NULL
);

-- Things the vendor admin must look at (disputes, stranded charges).
CREATE TABLE payment_alerts (
    id          bigserial PRIMARY KEY,
    account_id  bigint REFERENCES master_accounts(id),
    meter_id    bigint REFERENCES meters(id),
    charge_id   bigint REFERENCES charges(id),
    kind        text NOT NULL,
    detail      text NOT NULL,
    created_at  timestamptz NOT NULL
);

-- Emails sent once per meter, kind and day (low balance, failed auto-refill).
CREATE TABLE payment_notices (
    meter_id   bigint NOT NULL REFERENCES meters(id),
    kind       text NOT NULL,
    day        date NOT NULL,
    PRIMARY KEY (meter_id, kind, day)
);

-- The daily historical record for the post: postage per meter and origin ZIP.
CREATE TABLE settlements (
    day        date NOT NULL,
    meter_id   bigint NOT NULL REFERENCES meters(id),
    serial     text NOT NULL,
    origin_zip text NOT NULL,
    pieces     bigint NOT NULL,
    postage    bigint NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (day, meter_id, origin_zip)
);

-- The money ledger: append-only, integer cents. A positive amount credits the
-- account (it holds more); each transfer sums to zero. Accounts:
--   card_clearing            minus what card charges brought in, net of refunds
--   customer:<account id>    charged but not yet in a meter
--   meter:<meter id>         the meter's descending register
--   postal_revenue:<zip>     postage owed to the origin post office
--   vendor_fees              trickle fees
--   refunds                  voided postage on its way back (to a meter or a card)
--   vendor_grants            funds credited by a vendor admin
--   opening_balances         balances that predate the ledger
CREATE TABLE ledger_entries (
    id          bigserial PRIMARY KEY,
    transfer_id text NOT NULL,
    account     text NOT NULL,
    amount      bigint NOT NULL,
    kind        text NOT NULL,
    meter_id    bigint,
    origin_zip  text,
    pieces      bigint NOT NULL DEFAULT 0,
    charge_id   bigint,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_transfer_idx ON ledger_entries (transfer_id);
CREATE INDEX ledger_account_idx ON ledger_entries (account);
CREATE INDEX ledger_revenue_idx ON ledger_entries (created_at) WHERE account LIKE 'postal_revenue:%';

-- +goose StatementBegin
CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger_entries is append-only';
END $$;
-- +goose StatementEnd
CREATE TRIGGER ledger_no_update BEFORE UPDATE OR DELETE ON ledger_entries FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();

-- Every transfer sums to zero, checked at commit.
-- +goose StatementBegin
CREATE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE s bigint;
BEGIN
    SELECT sum(amount) INTO s FROM ledger_entries WHERE transfer_id = NEW.transfer_id;
    IF s <> 0 THEN
        RAISE EXCEPTION 'ledger transfer % does not sum to zero (%)', NEW.transfer_id, s USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE CONSTRAINT TRIGGER ledger_balanced AFTER INSERT ON ledger_entries DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced();

-- Postage dispensed moves from the meter to the origin post office, in the
-- transaction that stores the indicia (whoever stores them).
-- +goose StatementBegin
CREATE FUNCTION ledger_on_dispense() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE t text := 'dispense:' || gen_random_uuid();
BEGIN
    INSERT INTO ledger_entries (transfer_id, account, amount, kind, meter_id, origin_zip, pieces)
    SELECT t, 'meter:' || meter_id, -sum(postage), 'dispense', meter_id, NULL, 0 FROM new_indicia GROUP BY meter_id
    UNION ALL
    SELECT t, 'postal_revenue:' || origin_zip, sum(postage), 'dispense', meter_id, origin_zip, count(*) FROM new_indicia GROUP BY meter_id, origin_zip;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER ledger_dispense AFTER INSERT ON indicia REFERENCING NEW TABLE AS new_indicia
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_on_dispense();

-- A voided label's postage leaves the post office's revenue for "refunds";
-- from there it goes back to the meter (void_refund credit) or the card.
-- +goose StatementBegin
CREATE FUNCTION ledger_on_void() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE t text := 'void:' || NEW.public_id;
BEGIN
    IF OLD.status = 'issued' AND NEW.status = 'voided' THEN
        INSERT INTO ledger_entries (transfer_id, account, amount, kind, meter_id, origin_zip, pieces) VALUES
            (t, 'postal_revenue:' || NEW.origin_zip, -NEW.postage, 'void', NEW.meter_id, NEW.origin_zip, -1),
            (t, 'refunds', NEW.postage, 'void', NEW.meter_id, NULL, 0);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER ledger_void AFTER UPDATE OF status ON indicia FOR EACH ROW EXECUTE FUNCTION ledger_on_void();

-- Funds moved into a meter come from where the transfer's reason says.
-- +goose StatementBegin
CREATE FUNCTION ledger_on_transfer() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER ledger_transfer AFTER INSERT ON funds_transfers FOR EACH ROW EXECUTE FUNCTION ledger_on_transfer();

-- Balances older than the ledger.
INSERT INTO ledger_entries (transfer_id, account, amount, kind, meter_id)
SELECT 'opening:' || id, 'opening_balances', -dr, 'opening', id FROM meters WHERE dr <> 0
UNION ALL
SELECT 'opening:' || id, 'meter:' || id, dr, 'opening', id FROM meters WHERE dr <> 0;

-- +goose Down
DROP TRIGGER ledger_transfer ON funds_transfers;
DROP TRIGGER ledger_void ON indicia;
DROP TRIGGER ledger_dispense ON indicia;
DROP FUNCTION ledger_on_transfer();
DROP FUNCTION ledger_on_void();
DROP FUNCTION ledger_on_dispense();
DROP TABLE ledger_entries;
DROP FUNCTION ledger_check_balanced();
DROP FUNCTION ledger_append_only();
DROP TABLE settlements;
DROP TABLE payment_notices;
DROP TABLE payment_alerts;
DROP TABLE stripe_events;
DROP TABLE refunds;
DROP TABLE charges;
DROP TABLE meter_funding;
DROP TABLE billing_customers;
