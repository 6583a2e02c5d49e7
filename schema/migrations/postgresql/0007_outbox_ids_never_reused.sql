-- Outbox ids are never reused. SQLite needed AUTOINCREMENT for that and rebuilt the table
-- (../0007); here outbox.id is an identity column from 0001, whose sequence never hands out an
-- id twice, so the schema is already what this version requires. The statement below only
-- records the fact where operators see it (\d+ outbox).
COMMENT ON COLUMN outbox.id IS 'never reused (identity sequence): the publisher reads rows above the last id it sent';
