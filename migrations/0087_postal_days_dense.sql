-- +goose Up
-- Every origin gets a postal_days row for every rolled-up day from its
-- first (zero pieces on a day without labels, its running totals carried
-- over), so the running totals of every origin at one day are one range of
-- postal_days_day_totals_idx: an all-origins total over rolled-up days is
-- two such ranges joined, not two index probes per origin.
LOCK TABLE postal_rollup IN EXCLUSIVE MODE;
INSERT INTO postal_days (day, origin_zip, pieces, postage, voided, voided_postage, cum_pieces, cum_postage, cum_voided, cum_voided_postage)
SELECT g.day::date, f.origin_zip, 0, 0, 0, 0, c.cum_pieces, c.cum_postage, c.cum_voided, c.cum_voided_postage
FROM (SELECT origin_zip, min(day) AS first FROM postal_days GROUP BY 1) f
CROSS JOIN LATERAL generate_series(f.first, (SELECT built_through FROM postal_rollup WHERE id = 1) - 1, interval '1 day') g(day)
CROSS JOIN LATERAL (SELECT cum_pieces, cum_postage, cum_voided, cum_voided_postage FROM postal_days x
    WHERE x.origin_zip = f.origin_zip AND x.day <= g.day::date ORDER BY x.day DESC LIMIT 1) c
WHERE NOT EXISTS (SELECT 1 FROM postal_days y WHERE y.day = g.day::date AND y.origin_zip = f.origin_zip);
CREATE INDEX postal_days_day_totals_idx ON postal_days (day) INCLUDE (origin_zip, cum_pieces, cum_postage, cum_voided, cum_voided_postage);

-- +goose Down
DROP INDEX postal_days_day_totals_idx;
DELETE FROM postal_days WHERE pieces = 0;
