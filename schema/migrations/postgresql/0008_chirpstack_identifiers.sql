-- Identifiers ChirpStack integrations expect. Each application gets a random UUID
-- (deviceInfo.applicationId), and each downlink queue item one (queueItemId in ack, txack and
-- log events); a command's own `id` may supply it. Both are never reused: applications and
-- queue items get a new random one each, and UNIQUE refuses a repeated one. Rows that exist
-- get theirs here (UUID version 4 from gen_random_uuid(); SQLite's ../0008 builds the same
-- form from randomblob).
ALTER TABLE application ADD COLUMN uuid TEXT NOT NULL DEFAULT '';
UPDATE application SET uuid = gen_random_uuid()::text;
CREATE UNIQUE INDEX application_uuid ON application(uuid);

ALTER TABLE downlink_queue ADD COLUMN queue_item_id TEXT;
UPDATE downlink_queue SET queue_item_id = gen_random_uuid()::text;
CREATE UNIQUE INDEX downlink_queue_item_id ON downlink_queue(queue_item_id);
