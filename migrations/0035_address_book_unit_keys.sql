-- +goose Up
-- Match keys no longer depend on the unit designator (APT 4, UNIT 4 and
-- # 4 are one delivery point, see address.Result.Key): rewrite the
-- designator of the unit that ends a key's delivery line to "#".
UPDATE address_book SET match_key = regexp_replace(match_key, ' (APT|DEPT|HNGR|KEY|LOT|PIER|RM|SLIP|SPC|STOP|STE|TRLR|UNIT|PMB) ([^ |]+)\|', ' # \2|')
WHERE match_key ~ ' (APT|DEPT|HNGR|KEY|LOT|PIER|RM|SLIP|SPC|STOP|STE|TRLR|UNIT|PMB) [^ |]+\|';

-- +goose Down
SELECT 1;
