-- +goose Up
CREATE SEQUENCE meter_serial_seq START 10001;

-- One row per meter: the columns of the box's meter record (metering/box.Record)
-- plus what the data center keeps beside it. Only the box can produce a MAC
-- over the record columns; any edit here is refused at the next use.
CREATE TABLE meters (
    id             bigserial PRIMARY KEY,
    serial         text NOT NULL UNIQUE,
    mfg_number     text NOT NULL,
    account_id     bigint NOT NULL REFERENCES master_accounts(id),
    origin_zip     text NOT NULL,
    status         text NOT NULL,
    suspend_reason text NOT NULL DEFAULT '',
    ar             bigint NOT NULL,
    dr             bigint NOT NULL,
    piece_count    bigint NOT NULL,
    counter        bigint NOT NULL,
    wrapped_key    bytea NOT NULL,
    key_version    int NOT NULL,
    mac_version    text NOT NULL,
    chain_head     bytea,
    mac            bytea NOT NULL,
    -- outside the record:
    cert_pem       text NOT NULL,
    -- set when the box refused the record as tampered; blocks every use until an admin resolves it
    tamper_hold    text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);
CREATE INDEX meters_account_idx ON meters (account_id);

-- The signed transaction records of each meter, a hash chain (metering/box.TxRecord).
CREATE TABLE meter_transactions (
    id            bigserial PRIMARY KEY,
    meter_id      bigint NOT NULL REFERENCES meters(id),
    kind          text NOT NULL,
    counter       bigint NOT NULL,
    at            timestamptz NOT NULL,
    indicium_date text NOT NULL DEFAULT '',
    origin_zip    text NOT NULL DEFAULT '',
    delivery_zip  text NOT NULL DEFAULT '',
    amount        bigint NOT NULL DEFAULT 0,
    piece_number  bigint NOT NULL DEFAULT 0,
    transfer_id   text NOT NULL DEFAULT '',
    detail        text NOT NULL DEFAULT '',
    prev_hash     bytea,
    hash          bytea NOT NULL UNIQUE,
    signature     bytea NOT NULL
);
CREATE INDEX meter_transactions_meter_idx ON meter_transactions (meter_id, id);

-- A purchase is one request (one or many pieces); the idempotency key makes a retry return the same labels.
CREATE TABLE purchases (
    id              bigserial PRIMARY KEY,
    public_id       text NOT NULL UNIQUE,
    account_id      bigint NOT NULL REFERENCES master_accounts(id),
    meter_id        bigint NOT NULL REFERENCES meters(id),
    user_id         bigint REFERENCES users(id) ON DELETE SET NULL,
    idempotency_key text,
    request_hash    bytea NOT NULL,
    pieces          int NOT NULL,
    postage         bigint NOT NULL,
    created_at      timestamptz NOT NULL,
    UNIQUE (account_id, idempotency_key)
);

-- One indicium per piece, stored as the box signed it so every reprint is identical.
CREATE TABLE indicia (
    id             bigserial PRIMARY KEY,
    public_id      text NOT NULL UNIQUE,
    purchase_id    bigint NOT NULL REFERENCES purchases(id),
    meter_id       bigint NOT NULL REFERENCES meters(id),
    account_id     bigint NOT NULL REFERENCES master_accounts(id),
    piece_number   bigint NOT NULL,
    mailing_date   date NOT NULL,
    postage        bigint NOT NULL,
    origin_zip     text NOT NULL,
    dest_zip       text NOT NULL,
    mail_class     text NOT NULL,
    services       int NOT NULL DEFAULT 0,
    recipient      jsonb NOT NULL DEFAULT '{}',
    data           bytea NOT NULL,
    status         text NOT NULL DEFAULT 'issued' CHECK (status IN ('issued','voided')),
    voided_at      timestamptz,
    created_at     timestamptz NOT NULL,
    UNIQUE (meter_id, piece_number)
);
CREATE INDEX indicia_purchase_idx ON indicia (purchase_id, piece_number);
CREATE INDEX indicia_account_idx ON indicia (account_id, created_at DESC);

-- Funds moved from the master account into a meter, signed by the transaction box (its own chain).
CREATE TABLE funds_transfers (
    id          bigserial PRIMARY KEY,
    transfer_id text NOT NULL UNIQUE,
    meter_id    bigint NOT NULL REFERENCES meters(id),
    account_id  bigint NOT NULL REFERENCES master_accounts(id),
    amount      bigint NOT NULL CHECK (amount > 0),
    reason      text NOT NULL,
    created_by  bigint REFERENCES users(id) ON DELETE SET NULL,
    tx_seq      bigint NOT NULL UNIQUE,
    tx_time     timestamptz NOT NULL,
    tx_payload  bytea NOT NULL,
    tx_prev     bytea,
    tx_hash     bytea NOT NULL,
    tx_sig      bytea NOT NULL,
    created_at  timestamptz NOT NULL
);

CREATE TABLE tamper_alerts (
    id          bigserial PRIMARY KEY,
    meter_id    bigint NOT NULL REFERENCES meters(id),
    serial      text NOT NULL,
    reason      text NOT NULL,
    detail      text NOT NULL,
    created_at  timestamptz NOT NULL,
    resolved_at timestamptz,
    resolved_by bigint REFERENCES users(id) ON DELETE SET NULL,
    resolution  text NOT NULL DEFAULT ''
);
CREATE INDEX tamper_alerts_open_idx ON tamper_alerts (created_at DESC) WHERE resolved_at IS NULL;

-- +goose Down
DROP TABLE tamper_alerts;
DROP TABLE funds_transfers;
DROP TABLE indicia;
DROP TABLE purchases;
DROP TABLE meter_transactions;
DROP TABLE meters;
DROP SEQUENCE meter_serial_seq;
