-- +goose Up
-- Saved groups of address-book entries: a mailer names a set of recipients
-- once and buys a batch for all of them later. Deleting an entry drops it
-- from its groups; deleting a group leaves the entries.
CREATE TABLE address_groups (
    id         bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES master_accounts(id) ON DELETE CASCADE,
    name       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX address_groups_name_idx ON address_groups (account_id, lower(name));
CREATE TABLE address_group_members (
    group_id bigint NOT NULL REFERENCES address_groups(id) ON DELETE CASCADE,
    entry_id bigint NOT NULL REFERENCES address_book(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, entry_id)
);
CREATE INDEX address_group_members_entry_idx ON address_group_members (entry_id);

-- +goose Down
DROP TABLE address_group_members;
DROP TABLE address_groups;
