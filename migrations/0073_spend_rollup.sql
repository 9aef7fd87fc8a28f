-- +goose Up
-- The spend summary's rollup: one row per account, UTC day of purchase,
-- meter, cost code (0: none), buying user (0: none), origin ZIP and mail
-- class, with the pieces and postage bought and the part of them voided.
-- The purchase transaction adds each purchase group's pieces with one
-- upsert, the void transaction moves a piece to the voided columns; both
-- hold the meter's row lock, and the meter is part of the key, so rows of
-- one meter are only ever written in the meter's lock order.
CREATE TABLE spend_rollup (
    account_id     bigint NOT NULL,
    day            date NOT NULL,
    meter_id       bigint NOT NULL,
    cost_code_id   bigint NOT NULL DEFAULT 0,
    user_id        bigint NOT NULL DEFAULT 0,
    origin_zip     text NOT NULL,
    mail_class     text NOT NULL,
    pieces         bigint NOT NULL DEFAULT 0,
    postage        bigint NOT NULL DEFAULT 0,
    voided_pieces  bigint NOT NULL DEFAULT 0,
    voided_postage bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, day, meter_id, cost_code_id, user_id, origin_zip, mail_class)
);
-- Vendor admins sum every account's days.
CREATE INDEX spend_rollup_day_idx ON spend_rollup (day);
INSERT INTO spend_rollup (account_id, day, meter_id, cost_code_id, user_id, origin_zip, mail_class, pieces, postage, voided_pieces, voided_postage)
SELECT i.account_id, (i.created_at AT TIME ZONE 'UTC')::date, i.meter_id, coalesce(i.cost_code_id, 0), coalesce(p.user_id, 0), i.origin_zip, i.mail_class,
    count(*), sum(i.postage), count(*) FILTER (WHERE i.status = 'voided'), coalesce(sum(i.postage) FILTER (WHERE i.status = 'voided'), 0)
FROM indicia i JOIN purchases p ON p.id = i.purchase_id
GROUP BY 1, 2, 3, 4, 5, 6, 7;

-- +goose Down
DROP TABLE spend_rollup;
