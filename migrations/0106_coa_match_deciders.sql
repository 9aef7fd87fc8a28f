-- +goose Up
-- Who decided a match is kept beside it, written only when a mailer accepts
-- or dismisses one. As a column of coa_matches its foreign key fired for
-- every match a run inserted, a million at a time, all with no decider.
CREATE TABLE coa_match_deciders (
    match_id   bigint PRIMARY KEY REFERENCES coa_matches(id) ON DELETE CASCADE,
    decided_by bigint REFERENCES users(id) ON DELETE SET NULL
);
INSERT INTO coa_match_deciders (match_id, decided_by)
    SELECT id, decided_by FROM coa_matches WHERE decided_by IS NOT NULL;
ALTER TABLE coa_matches DROP COLUMN decided_by;

-- +goose Down
ALTER TABLE coa_matches ADD COLUMN decided_by bigint REFERENCES users(id) ON DELETE SET NULL;
UPDATE coa_matches m SET decided_by = d.decided_by FROM coa_match_deciders d WHERE d.match_id = m.id;
DROP TABLE coa_match_deciders;
