-- Every accepted uplink as received (application payload decrypted, FRMPayload bytes kept),
-- so that history can be decoded again with a newer codec.
CREATE TABLE uplink_frame (
  id               INTEGER PRIMARY KEY,
  deduplication_id TEXT NOT NULL UNIQUE,
  dev_eui          TEXT NOT NULL REFERENCES device(dev_eui) ON DELETE CASCADE,
  dev_addr         TEXT NOT NULL,
  f_cnt            INTEGER NOT NULL,
  f_port           INTEGER,
  confirmed        INTEGER NOT NULL,
  dr               INTEGER NOT NULL,
  payload          BLOB NOT NULL,
  rx_info          TEXT NOT NULL,       -- JSON array as published in the up event
  tx_info          TEXT NOT NULL,       -- JSON object as published in the up event
  received_at_ms   INTEGER NOT NULL,    -- server time, Unix milliseconds
  network_time_ms  INTEGER NOT NULL,    -- best estimate of the end of transmission, Unix ms
  network_time_gps INTEGER NOT NULL     -- 1 when network_time comes from a gateway's clock
);
CREATE INDEX uplink_frame_device_time ON uplink_frame(dev_eui, received_at_ms);
