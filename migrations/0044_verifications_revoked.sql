-- +goose Up
-- A verification may answer revoked: the meter's certificate was revoked
-- from a time on or before the label's date (meter_revocations, 0012).
ALTER TABLE verifications DROP CONSTRAINT verifications_result_check;
ALTER TABLE verifications ADD CONSTRAINT verifications_result_check
    CHECK (result IN ('valid','invalid','void','duplicate','revoked'));

-- +goose Down
UPDATE verifications SET result = 'invalid' WHERE result = 'revoked';
ALTER TABLE verifications DROP CONSTRAINT verifications_result_check;
ALTER TABLE verifications ADD CONSTRAINT verifications_result_check
    CHECK (result IN ('valid','invalid','void','duplicate'));
