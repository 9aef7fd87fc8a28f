-- +goose Up
-- Long tracking periods read the rollup in fewer rows. postal_days gains
-- running totals per origin ZIP (pieces and postage issued from its first
-- day through this one), so an origin's total over any run of rolled-up
-- days is two index probes, whatever the period's length; postal_origins
-- lists the origins to probe; postal_days_all holds each day's totals over
-- every origin. All three are written in the rollup's transaction, with
-- postal_days, and like it never change afterwards.
ALTER TABLE postal_days ADD COLUMN cum_pieces bigint NOT NULL DEFAULT 0, ADD COLUMN cum_postage bigint NOT NULL DEFAULT 0;
UPDATE postal_days d SET cum_pieces = c.cp, cum_postage = c.cq
FROM (SELECT day, origin_zip, sum(pieces) OVER w AS cp, sum(postage) OVER w AS cq FROM postal_days
    WINDOW w AS (PARTITION BY origin_zip ORDER BY day)) c
WHERE c.day = d.day AND c.origin_zip = d.origin_zip;
CREATE INDEX postal_days_origin_cum_idx ON postal_days (origin_zip, day) INCLUDE (cum_pieces, cum_postage, pieces, postage);
DROP INDEX postal_days_origin_idx;

CREATE TABLE postal_origins (
    origin_zip text PRIMARY KEY
);
INSERT INTO postal_origins SELECT DISTINCT origin_zip FROM postal_days;

CREATE TABLE postal_days_all (
    day     date PRIMARY KEY,
    pieces  bigint NOT NULL,
    postage bigint NOT NULL
);
INSERT INTO postal_days_all SELECT day, sum(pieces), sum(postage) FROM postal_days GROUP BY day;

-- +goose Down
DROP TABLE postal_days_all;
DROP TABLE postal_origins;
CREATE INDEX postal_days_origin_idx ON postal_days (origin_zip, day);
DROP INDEX postal_days_origin_cum_idx;
ALTER TABLE postal_days DROP COLUMN cum_postage, DROP COLUMN cum_pieces;
