-- Several uchetd on one PostgreSQL database (issue 21 item 2, docs/deployment.md layout 3).
-- On SQLite these tables exist too, so that both dialects keep one schema, but they stay empty:
-- one uchetd holds the file (schema/database_lock.h), so it is the only instance, it claims no
-- frames and it keeps no instance row.
--
-- Each running uchetd: its [cluster] instance name, when it started, its last heartbeat
-- (written every few seconds), its process and host, and the version it runs. A row stays
-- after the instance stops; whether it is live is told by its advisory lock (schema/instances.h).
CREATE TABLE uchet_instance (
  name         TEXT PRIMARY KEY,
  started_at   INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  pid          INTEGER NOT NULL,
  host         TEXT NOT NULL,
  version      TEXT NOT NULL
) WITHOUT ROWID;
-- Deduplication across instances (netserver/frame_claims.h): the first instance whose copy of
-- a PHYPayload opens its dedup window claims the frame (frame_key: SHA-256 of the PHYPayload;
-- claimed_at_ms: that instance's clock, Unix milliseconds). A claim older than the late-copy
-- horizon is taken over, as the same bytes then are a new transmission (NbTrans repeats).
CREATE TABLE frame_claim (
  frame_key     BLOB PRIMARY KEY,
  instance      TEXT NOT NULL,
  claimed_at_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX frame_claim_age ON frame_claim(claimed_at_ms);
-- The receptions other instances had of a claimed frame, for its owner to read at its window's
-- end: one row per reception, serialised (netserver/reception_codec.h), tagged with the claim
-- (frame_key, claimed_at_ms) they belong to.
CREATE TABLE frame_claim_reception (
  id            INTEGER PRIMARY KEY,
  frame_key     BLOB NOT NULL,
  claimed_at_ms INTEGER NOT NULL,
  instance      TEXT NOT NULL,
  reception     BLOB NOT NULL
);
CREATE INDEX frame_claim_reception_claim ON frame_claim_reception(frame_key, claimed_at_ms);
-- Each write of a device's session counts one generation up, and is made only on the
-- generation it was read at (schema/sessions.h): an instance whose copy is stale — another
-- instance stored a frame or a join of the device meanwhile — changes nothing, reloads the
-- session and judges the frame again, so a frame counter never goes back and a replay is
-- never accepted twice.
ALTER TABLE device_session ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
