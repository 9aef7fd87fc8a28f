-- +goose Up
-- A batch row may be corrected while it is read (a ZIP that lost its
-- leading zero, restored from the row's city and state): input keeps the
-- row as uploaded, cleansed_input the text that is cleansed instead, and
-- note the reason the result carries.
ALTER TABLE cleanse_rows ADD COLUMN note text NOT NULL DEFAULT '';
ALTER TABLE cleanse_rows ADD COLUMN cleansed_input text;

-- +goose Down
ALTER TABLE cleanse_rows DROP COLUMN cleansed_input;
ALTER TABLE cleanse_rows DROP COLUMN note;
