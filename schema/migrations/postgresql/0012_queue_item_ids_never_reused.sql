-- A queue item's id (queueItemId in ack, txack and log events) is never used twice, also after
-- the item has left the queue: integrations match events to the downlink they sent by it. uchet
-- makes random UUIDs; a command may bring its own `id`, which is refused when it was ever used.
-- One row per downlink ever queued (~60 bytes).
CREATE TABLE queue_item_id_used (queue_item_id TEXT PRIMARY KEY);
INSERT INTO queue_item_id_used SELECT queue_item_id FROM downlink_queue WHERE queue_item_id IS NOT NULL
  ON CONFLICT DO NOTHING;
-- return_downlink puts an item back under its own id: ON CONFLICT DO NOTHING.
CREATE FUNCTION queue_item_id_remembered() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO queue_item_id_used (queue_item_id) VALUES (NEW.queue_item_id) ON CONFLICT DO NOTHING;
  RETURN NULL;
END;
$$;
CREATE TRIGGER queue_item_id_remembered AFTER INSERT ON downlink_queue FOR EACH ROW
  WHEN (NEW.queue_item_id IS NOT NULL) EXECUTE FUNCTION queue_item_id_remembered();
