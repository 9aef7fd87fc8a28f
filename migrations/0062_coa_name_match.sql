-- +goose Up
-- How the names of a change-of-address match matched: firm, exact,
-- nickname or last_name ('' for matches found before it was recorded).
ALTER TABLE coa_matches ADD COLUMN name_match text NOT NULL DEFAULT ''
    CHECK (name_match IN ('', 'firm', 'exact', 'nickname', 'last_name'));

-- A record's first-name key is now its given name alone (the nickname
-- widening moved to the address-book side, so that two nicknames of one
-- formal name no longer match each other): recompute it from first_name as
-- hygiene/coa/names.go does (first word, letters and digits upper-cased,
-- apostrophes and hyphens dropped, an initial alone gives no key).
UPDATE coa_records SET first_keys = CASE
    WHEN length(w) >= 2 THEN ARRAY[w] ELSE '{}'::text[] END
FROM (SELECT id AS rid, regexp_replace(upper(coalesce((regexp_match(first_name, '[[:alnum:]''’-]*[[:alnum:]][[:alnum:]''’-]*'))[1], '')),
        '[''’-]', '', 'g') AS w FROM coa_records) f
WHERE f.rid = coa_records.id;

-- Address-book name keys are a cache: the next matching run rebuilds them
-- with the new widening.
DELETE FROM coa_book_keys;

-- Match keys no longer depend on the unit designator (APT 4, UNIT 4 and
-- # 4 are one delivery point, see address.Result.Key): rewrite the
-- designator of the unit that ends a key's delivery line to "#".
UPDATE coa_records SET old_key = regexp_replace(old_key, ' (APT|DEPT|HNGR|KEY|LOT|PIER|RM|SLIP|SPC|STOP|STE|TRLR|UNIT|PMB) ([^ |]+)\|', ' # \2|')
WHERE old_key ~ ' (APT|DEPT|HNGR|KEY|LOT|PIER|RM|SLIP|SPC|STOP|STE|TRLR|UNIT|PMB) [^ |]+\|';
UPDATE coa_records SET new_key = regexp_replace(new_key, ' (APT|DEPT|HNGR|KEY|LOT|PIER|RM|SLIP|SPC|STOP|STE|TRLR|UNIT|PMB) ([^ |]+)\|', ' # \2|')
WHERE new_key ~ ' (APT|DEPT|HNGR|KEY|LOT|PIER|RM|SLIP|SPC|STOP|STE|TRLR|UNIT|PMB) [^ |]+\|';
UPDATE coa_matches SET old_key = regexp_replace(old_key, ' (APT|DEPT|HNGR|KEY|LOT|PIER|RM|SLIP|SPC|STOP|STE|TRLR|UNIT|PMB) ([^ |]+)\|', ' # \2|'),
    new_key = regexp_replace(new_key, ' (APT|DEPT|HNGR|KEY|LOT|PIER|RM|SLIP|SPC|STOP|STE|TRLR|UNIT|PMB) ([^ |]+)\|', ' # \2|')
WHERE old_key ~ ' (APT|DEPT|HNGR|KEY|LOT|PIER|RM|SLIP|SPC|STOP|STE|TRLR|UNIT|PMB) [^ |]+\|'
   OR new_key ~ ' (APT|DEPT|HNGR|KEY|LOT|PIER|RM|SLIP|SPC|STOP|STE|TRLR|UNIT|PMB) [^ |]+\|';

-- +goose Down
ALTER TABLE coa_matches DROP COLUMN name_match;
