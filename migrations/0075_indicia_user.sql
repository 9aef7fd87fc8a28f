-- +goose Up
-- The buying user on the piece itself, copied from its purchase by the
-- statement (or COPY) that writes the piece. The register and the label
-- history read a piece's user without joining purchases: that join hashed
-- every purchase of the period (or probed one per row) and, as a hash join,
-- made PostgreSQL sort the period instead of reading the index in order.
-- No foreign key: the value is the purchase's, which keeps its own, and a
-- user who is gone reads as no user through the LEFT JOIN either way.
ALTER TABLE indicia ADD COLUMN user_id bigint;
UPDATE indicia i SET user_id = p.user_id FROM purchases p WHERE p.id = i.purchase_id AND p.user_id IS NOT NULL;

-- +goose Down
ALTER TABLE indicia DROP COLUMN user_id;
