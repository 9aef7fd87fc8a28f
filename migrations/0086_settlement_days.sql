-- +goose Up
-- The funds owed to the post offices come a page at a time (a year per
-- origin ZIP is 366,000 settlement rows), while the page shows the whole
-- period's total: settlement_days holds each settled day's total over every
-- office, written in the settlement's transaction, so that total is one row
-- a day. One office's or ZIP3's rows and totals are read through
-- settlements_origin_day_idx.
CREATE TABLE settlement_days (
    day     date PRIMARY KEY,
    pieces  bigint NOT NULL,
    postage bigint NOT NULL
);
INSERT INTO settlement_days SELECT day, sum(pieces), sum(postage) FROM settlements GROUP BY day;
CREATE INDEX settlements_origin_day_idx ON settlements (origin_zip, day) INCLUDE (pieces, postage);

-- +goose Down
DROP INDEX settlements_origin_day_idx;
DROP TABLE settlement_days;
