-- +goose Up
-- Voids (and refunds, which are voids) in the postal rollup: a void changes
-- a past day's numbers, so the void's transaction moves the piece to the
-- voided columns of its day of issue and adds it to the running voided
-- totals of that day and every later rolled-up day of its origin
-- (metering/postal_rollup.go). The tracking views then read past days from
-- the rollup alone. Existing voids are summed in here; the state row is
-- locked so no void or rollup runs meanwhile.
LOCK TABLE postal_rollup IN EXCLUSIVE MODE;
ALTER TABLE postal_days ADD COLUMN voided bigint NOT NULL DEFAULT 0, ADD COLUMN voided_postage bigint NOT NULL DEFAULT 0,
    ADD COLUMN cum_voided bigint NOT NULL DEFAULT 0, ADD COLUMN cum_voided_postage bigint NOT NULL DEFAULT 0;
ALTER TABLE postal_days_all ADD COLUMN voided bigint NOT NULL DEFAULT 0, ADD COLUMN voided_postage bigint NOT NULL DEFAULT 0;
UPDATE postal_days d SET voided = v.n, voided_postage = v.p
FROM (SELECT (created_at AT TIME ZONE 'UTC')::date AS day, origin_zip, count(*) AS n, sum(postage) AS p FROM indicia
    WHERE status = 'voided' AND created_at < (SELECT built_through FROM postal_rollup WHERE id = 1) GROUP BY 1, 2) v
WHERE d.day = v.day AND d.origin_zip = v.origin_zip;
UPDATE postal_days d SET cum_voided = c.cv, cum_voided_postage = c.cq
FROM (SELECT day, origin_zip, sum(voided) OVER w AS cv, sum(voided_postage) OVER w AS cq FROM postal_days
    WINDOW w AS (PARTITION BY origin_zip ORDER BY day)) c
WHERE c.day = d.day AND c.origin_zip = d.origin_zip AND c.cv > 0;
UPDATE postal_days_all a SET voided = s.v, voided_postage = s.q
FROM (SELECT day, sum(voided) AS v, sum(voided_postage) AS q FROM postal_days GROUP BY day) s
WHERE s.day = a.day AND s.v > 0;
-- The per-origin totals stay index-only reads.
CREATE INDEX postal_days_origin_totals_idx ON postal_days (origin_zip, day)
    INCLUDE (cum_pieces, cum_postage, cum_voided, cum_voided_postage, pieces, postage, voided, voided_postage);
DROP INDEX postal_days_origin_cum_idx;

-- +goose Down
CREATE INDEX postal_days_origin_cum_idx ON postal_days (origin_zip, day) INCLUDE (cum_pieces, cum_postage, pieces, postage);
DROP INDEX postal_days_origin_totals_idx;
ALTER TABLE postal_days_all DROP COLUMN voided_postage, DROP COLUMN voided;
ALTER TABLE postal_days DROP COLUMN cum_voided_postage, DROP COLUMN cum_voided, DROP COLUMN voided_postage, DROP COLUMN voided;
