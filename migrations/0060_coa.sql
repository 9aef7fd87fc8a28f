-- +goose Up
-- Change-of-address (COA) lists uploaded by postal staff. The uploaded file
-- is streamed by a job into coa_records with COPY; each record keeps both
-- addresses as standardized by hygiene.Cleanser and their match keys
-- (Result.Key(): "DELIVERY LINE|ZIP5"), plus name keys built in Go
-- (hygiene/coa_names.go) so that matching is a set-based join.
CREATE TABLE coa_lists (
    id              bigserial PRIMARY KEY,
    source          text NOT NULL,
    filename        text NOT NULL,
    path            text NOT NULL DEFAULT '',
    status          text NOT NULL DEFAULT 'loading'
                    CHECK (status IN ('loading','active','replaced','withdrawn','failed')),
    replaces_id     bigint REFERENCES coa_lists(id) ON DELETE SET NULL,
    uploaded_by     bigint REFERENCES users(id) ON DELETE SET NULL,
    job_id          bigint REFERENCES jobs(id) ON DELETE SET NULL,
    total_rows      bigint NOT NULL DEFAULT 0,
    loaded_rows     bigint NOT NULL DEFAULT 0,
    bad_rows        bigint NOT NULL DEFAULT 0,
    -- effective period: the earliest and latest move date in the list
    period_start    date,
    period_end      date,
    message         text NOT NULL DEFAULT '',
    uploaded_at     timestamptz NOT NULL,
    loaded_at       timestamptz,
    withdrawn_at    timestamptz
);
CREATE INDEX coa_lists_uploaded_idx ON coa_lists (uploaded_at DESC);

-- The first line errors of a list (the rest are only counted).
CREATE TABLE coa_list_errors (
    list_id  bigint NOT NULL REFERENCES coa_lists(id) ON DELETE CASCADE,
    line     bigint NOT NULL,
    reason   text NOT NULL,
    PRIMARY KEY (list_id, line)
);

CREATE TABLE coa_records (
    id          bigserial PRIMARY KEY,
    list_id     bigint NOT NULL REFERENCES coa_lists(id) ON DELETE CASCADE,
    line        bigint NOT NULL,
    move_type   text NOT NULL CHECK (move_type IN ('individual','family','business')),
    first_name  text NOT NULL DEFAULT '',
    middle      text NOT NULL DEFAULT '',
    last_name   text NOT NULL DEFAULT '',
    firm        text NOT NULL DEFAULT '',
    -- name keys: first_keys are the nickname groups of the first name
    first_keys  text[] NOT NULL DEFAULT '{}',
    middle_key  text NOT NULL DEFAULT '',
    last_key    text NOT NULL DEFAULT '',
    firm_key    text NOT NULL DEFAULT '',
    old_line1   text NOT NULL DEFAULT '',
    old_line2   text NOT NULL DEFAULT '',
    old_city    text NOT NULL DEFAULT '',
    old_state   text NOT NULL DEFAULT '',
    old_zip     text NOT NULL DEFAULT '',
    old_key     text NOT NULL,
    new_line1   text NOT NULL DEFAULT '',
    new_line2   text NOT NULL DEFAULT '',
    new_city    text NOT NULL DEFAULT '',
    new_state   text NOT NULL DEFAULT '',
    new_zip     text NOT NULL DEFAULT '',
    new_zip4    text NOT NULL DEFAULT '',
    new_key     text NOT NULL DEFAULT '',
    effective   date NOT NULL,
    moved_left_no_address boolean NOT NULL DEFAULT false,
    po_box_closed         boolean NOT NULL DEFAULT false
);
-- Built after the COPY of a list (see hygiene/coa_import.go).
CREATE INDEX coa_records_old_key_idx ON coa_records (old_key, effective);
CREATE INDEX coa_records_new_key_idx ON coa_records (new_key) WHERE new_key <> '';
CREATE INDEX coa_records_list_idx ON coa_records (list_id);

-- Name keys of address-book entries, computed in Go from address_book.name
-- and company; refreshed when the source text changes.
CREATE TABLE coa_book_keys (
    entry_id    bigint PRIMARY KEY REFERENCES address_book(id) ON DELETE CASCADE,
    account_id  bigint NOT NULL,
    name_src    text NOT NULL,
    company_src text NOT NULL,
    first_keys  text[] NOT NULL DEFAULT '{}',
    middle_key  text NOT NULL DEFAULT '',
    last_key    text NOT NULL DEFAULT '',
    firm_key    text NOT NULL DEFAULT ''
);
CREATE INDEX coa_book_keys_account_idx ON coa_book_keys (account_id);

-- A move found for an address-book entry, shown to the mailer.
CREATE TABLE coa_matches (
    id          bigserial PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES master_accounts(id) ON DELETE CASCADE,
    entry_id    bigint NOT NULL REFERENCES address_book(id) ON DELETE CASCADE,
    record_id   bigint NOT NULL REFERENCES coa_records(id) ON DELETE CASCADE,
    -- the last record of a chain of moves (A→B, B→C: the B→C record)
    final_id    bigint NOT NULL REFERENCES coa_records(id) ON DELETE CASCADE,
    list_id     bigint NOT NULL REFERENCES coa_lists(id) ON DELETE CASCADE,
    code        text NOT NULL CHECK (code IN ('new_address','moved_left_no_address','po_box_closed','ambiguous')),
    tier        text NOT NULL CHECK (tier IN ('business','individual','family')),
    old_key     text NOT NULL,
    new_key     text NOT NULL DEFAULT '',
    status      text NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending','accepted','dismissed','withdrawn','superseded')),
    notified_at timestamptz,
    decided_by  bigint REFERENCES users(id) ON DELETE SET NULL,
    decided_at  timestamptz,
    created_at  timestamptz NOT NULL
);
CREATE UNIQUE INDEX coa_matches_once_idx ON coa_matches (entry_id, final_id, code);
CREATE INDEX coa_matches_account_idx ON coa_matches (account_id, status, created_at DESC);
CREATE INDEX coa_matches_list_idx ON coa_matches (list_id);
CREATE INDEX coa_matches_final_idx ON coa_matches (final_id);

-- Every access to COA data: who, what, when.
CREATE TABLE coa_access_log (
    id          bigserial PRIMARY KEY,
    user_id     bigint REFERENCES users(id) ON DELETE SET NULL,
    role        text NOT NULL,
    account_id  bigint,
    action      text NOT NULL,
    subject     text NOT NULL DEFAULT '',
    at          timestamptz NOT NULL
);
CREATE INDEX coa_access_log_at_idx ON coa_access_log (at DESC);

-- +goose Down
DROP TABLE coa_access_log;
DROP TABLE coa_matches;
DROP TABLE coa_book_keys;
DROP TABLE coa_records;
DROP TABLE coa_list_errors;
DROP TABLE coa_lists;
