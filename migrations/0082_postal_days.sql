-- +goose Up
-- Postal tracking reads whole past days from a rollup instead of every
-- label: per day of issue (UTC) and origin ZIP, the pieces issued and their
-- postage, voided or not. Those two numbers never change once the day is
-- over (labels are never deleted, and their postage and origin never
-- change), so the rollup holds only them; what does change (voids, scans,
-- the mailing window passing) is read from the labels through the small
-- partial indexes below. postal_rollup says up to which day (exclusive)
-- postal_days is complete.
CREATE TABLE postal_days (
    day        date NOT NULL,
    origin_zip text NOT NULL,
    pieces     bigint NOT NULL,
    postage    bigint NOT NULL,
    PRIMARY KEY (day, origin_zip)
);
CREATE INDEX postal_days_origin_idx ON postal_days (origin_zip, day);

CREATE TABLE postal_rollup (
    id            int PRIMARY KEY CHECK (id = 1),
    built_through date,
    built_at      timestamptz
);
INSERT INTO postal_rollup (id) VALUES (1);

-- Voided pieces per day of issue, read without the table.
CREATE INDEX indicia_voided_created_idx ON indicia (created_at) INCLUDE (origin_zip, postage) WHERE status = 'voided';
-- Pieces still in process: issued, never scanned, mailing date recent.
CREATE INDEX indicia_unscanned_mailing_idx ON indicia (mailing_date) INCLUDE (created_at, origin_zip, postage)
    WHERE status = 'issued' AND used_at IS NULL;
-- The drill-down from an origin ZIP to its meters.
CREATE INDEX indicia_origin_created_idx ON indicia (origin_zip, created_at);

-- +goose Down
DROP INDEX indicia_origin_created_idx;
DROP INDEX indicia_unscanned_mailing_idx;
DROP INDEX indicia_voided_created_idx;
DROP TABLE postal_rollup;
DROP TABLE postal_days;
