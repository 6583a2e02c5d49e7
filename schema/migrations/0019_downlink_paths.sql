-- Several uchetd on one PostgreSQL (issue 21 item 2, downlink side; docs/deployment.md, layout 3).
-- On SQLite these tables exist (one version number per change in both dialects) but stay empty:
-- one SQLite file has exactly one uchetd, which holds every gateway's downlink path itself.
--
-- gateway_path: the instance that last heard a gateway's downlink path (Semtech UDP: its
-- PULL_DATA address; Basics Station: its WebSocket) and so the one a downlink for it must leave
-- through. Written when the holder changes and refreshed every 30 s while it holds the path, not
-- per packet; an instance whose gateway talks to another instance is taken over by that one.
CREATE TABLE gateway_path (
  gateway_eui TEXT PRIMARY KEY REFERENCES gateway (gateway_eui) ON DELETE CASCADE,
  instance    TEXT NOT NULL,
  backend     TEXT NOT NULL,     -- 'semtech_udp' or 'basic_station'
  updated_at  INTEGER NOT NULL   -- unix seconds of the last write by the holder
) WITHOUT ROWID;

-- relayed_downlink: a transmission decided by one instance (from_instance) for a gateway whose
-- path another holds (to_instance), until the sender has the outcome. The holder takes it
-- (taken_at_us), re-checks it against its own transmit timeline and duty cycle for that gateway,
-- refuses it when not_after_us has passed, sends it and writes the outcome; the sender delivers
-- the outcome to its network server and deletes the row. A sender that waited too long writes
-- 'NO_OUTCOME' itself (only while outcome is still NULL, so exactly one of the two writes wins).
CREATE TABLE relayed_downlink (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  gateway_eui    TEXT NOT NULL,
  from_instance  TEXT NOT NULL,
  to_instance    TEXT NOT NULL,
  transmission   TEXT NOT NULL,     -- JSON, gateway-bridge/cluster_relay/relayed_transmission.h
  not_after_us   INTEGER NOT NULL,  -- unix µs: the latest moment it may still go on air
  created_at_us  INTEGER NOT NULL,
  taken_at_us    INTEGER,           -- when the holder took it
  outcome        TEXT,              -- TxStatus name ('OK', 'TOO_LATE', ...) or 'NO_OUTCOME'
  detail         TEXT NOT NULL DEFAULT '',
  warning        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX relayed_downlink_to ON relayed_downlink (to_instance, id);
CREATE INDEX relayed_downlink_from ON relayed_downlink (from_instance, id);
