-- Identifiers ChirpStack integrations expect. Each application gets a random UUID
-- (deviceInfo.applicationId), and each downlink queue item one (queueItemId in ack, txack and
-- log events); a command's own `id` may supply it. Both are never reused: applications and
-- queue items get a new random one each, and UNIQUE refuses a repeated one. Rows that exist
-- get theirs here (UUID version 4 made by SQLite's randomblob).
ALTER TABLE application ADD COLUMN uuid TEXT NOT NULL DEFAULT '';
UPDATE application SET uuid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' ||
  substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) ||
  substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)));
CREATE UNIQUE INDEX application_uuid ON application(uuid);

ALTER TABLE downlink_queue ADD COLUMN queue_item_id TEXT;
UPDATE downlink_queue SET queue_item_id = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' ||
  substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) ||
  substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)));
CREATE UNIQUE INDEX downlink_queue_item_id ON downlink_queue(queue_item_id);
