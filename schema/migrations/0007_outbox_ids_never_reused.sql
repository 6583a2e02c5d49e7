-- Outbox ids are never reused (AUTOINCREMENT). uchetd deletes acknowledged rows on its writer
-- thread, some time after the publisher has moved past them; with ids assigned as max(id)+1 a
-- row added after the newest rows were deleted would reuse an id the publisher had already
-- passed, and never be sent.
CREATE TABLE outbox_new (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  topic      TEXT NOT NULL,
  payload    TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
INSERT INTO outbox_new (id, topic, payload, created_at) SELECT id, topic, payload, created_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
