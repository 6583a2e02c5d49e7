-- An application's UUID: ChirpStack's applicationId, the {application_id} of configurable MQTT
-- topics. Version 4 (random), given to existing applications here and to new ones by
-- insert_application (schema/applications.cpp, the same expression); never changed afterwards.
-- (Not a trigger: its UPDATE would bump the registry version a second time per insert.)
ALTER TABLE application ADD COLUMN uuid TEXT;
UPDATE application SET uuid =
  lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) ||
  '-' || substr('89ab', 1 + abs(random() % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-' ||
  lower(hex(randomblob(6)));
CREATE UNIQUE INDEX application_uuid ON application(uuid);
