-- +goose Up
-- The vendor root certificate this database was initialised with. Every
-- process that talks to the box checks the box's root against it at start, so
-- a keystore that does not belong to this database is named, not discovered
-- later as failed logins and broken chains. One row, written by the first
-- start with a box.
CREATE TABLE deployment_root (
    id          boolean PRIMARY KEY DEFAULT true CHECK (id),
    fingerprint text NOT NULL,
    subject     text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE deployment_root;
