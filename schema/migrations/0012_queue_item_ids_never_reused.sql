-- A queue item's id (queueItemId in ack, txack and log events) is never used twice, also after
-- the item has left the queue: integrations match events to the downlink they sent by it. uchet
-- makes random UUIDs; a command may bring its own `id`, which is refused when it was ever used.
-- One row per downlink ever queued (~60 bytes).
CREATE TABLE queue_item_id_used (queue_item_id TEXT PRIMARY KEY) WITHOUT ROWID;
INSERT OR IGNORE INTO queue_item_id_used SELECT queue_item_id FROM downlink_queue WHERE queue_item_id IS NOT NULL;
-- return_downlink puts an item back under its own id: OR IGNORE.
CREATE TRIGGER queue_item_id_remembered AFTER INSERT ON downlink_queue WHEN NEW.queue_item_id IS NOT NULL
BEGIN
  INSERT OR IGNORE INTO queue_item_id_used (queue_item_id) VALUES (NEW.queue_item_id);
END;
