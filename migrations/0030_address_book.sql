-- +goose Up
-- A mailer account's saved recipients. The fields are what the mailer chose
-- to keep (the suggestion or their own text); status, reasons, zip4, dpv and
-- match_key record the cleansing of that text when it was saved.
CREATE TABLE address_book (
    id          bigserial PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES master_accounts(id) ON DELETE CASCADE,
    name        text NOT NULL DEFAULT '',
    company     text NOT NULL DEFAULT '',
    line1       text NOT NULL,
    line2       text NOT NULL DEFAULT '',
    city        text NOT NULL DEFAULT '',
    state       text NOT NULL DEFAULT '',
    zip         text NOT NULL DEFAULT '',
    zip4        text NOT NULL DEFAULT '',
    email       text NOT NULL DEFAULT '',
    phone       text NOT NULL DEFAULT '',
    department  text NOT NULL DEFAULT '',
    status      text NOT NULL CHECK (status IN ('valid','corrected','ambiguous','invalid')),
    reasons     text[] NOT NULL DEFAULT '{}',
    dpv         text NOT NULL DEFAULT '',
    -- standardized delivery line | ZIP: change-of-address matching joins on it
    match_key   text NOT NULL DEFAULT '',
    created_by  bigint REFERENCES users(id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX address_book_account_idx ON address_book (account_id, lower(name), id);
CREATE INDEX address_book_match_idx ON address_book (match_key) WHERE match_key <> '';

-- Previous addresses of an entry, newest last: edits and (later) moves found
-- by change-of-address matching append here.
CREATE TABLE address_history (
    id          bigserial PRIMARY KEY,
    entry_id    bigint NOT NULL REFERENCES address_book(id) ON DELETE CASCADE,
    line1       text NOT NULL,
    line2       text NOT NULL DEFAULT '',
    city        text NOT NULL DEFAULT '',
    state       text NOT NULL DEFAULT '',
    zip         text NOT NULL DEFAULT '',
    zip4        text NOT NULL DEFAULT '',
    status      text NOT NULL,
    source      text NOT NULL CHECK (source IN ('edit','import','coa')),
    changed_by  bigint REFERENCES users(id) ON DELETE SET NULL,
    replaced_at timestamptz NOT NULL
);
CREATE INDEX address_history_entry_idx ON address_history (entry_id, replaced_at);

-- +goose Down
DROP TABLE address_history;
DROP TABLE address_book;
