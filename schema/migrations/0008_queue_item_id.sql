-- A queue item's public id: the `id` a ChirpStack client gave its downlink command (a UUID),
-- which the item's ack, txack and log events carry so that the client can match them. NULL
-- for items queued without one. Unique while the item is in the queue.
ALTER TABLE downlink_queue ADD COLUMN queue_item_id TEXT;
CREATE UNIQUE INDEX downlink_queue_item_id ON downlink_queue(queue_item_id) WHERE queue_item_id IS NOT NULL;
