-- +goose Up
-- The piece's IMpb tracking number (22 digits); null for a piece the post
-- does not track (a letter or flat without Certified Mail or a signature).
ALTER TABLE indicia ADD COLUMN tracking_number text;
CREATE INDEX indicia_tracking_number_idx ON indicia (tracking_number) WHERE tracking_number IS NOT NULL;
-- Serials are handed out in blocks of 1,000 (block n: n*1000 .. n*1000+999),
-- so a purchase rarely asks the database for one.
CREATE SEQUENCE indicia_tracking_blocks;

-- +goose Down
DROP SEQUENCE indicia_tracking_blocks;
DROP INDEX indicia_tracking_number_idx;
ALTER TABLE indicia DROP COLUMN tracking_number;
