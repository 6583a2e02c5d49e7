-- Meter readings derived from uplink frames by the device's codec, the device clock model,
-- and alarms. Derived rows point at their source frame so that re-decoding can replace them.

CREATE TABLE reading (
  id           INTEGER PRIMARY KEY,
  dev_eui      TEXT NOT NULL REFERENCES device(dev_eui) ON DELETE CASCADE,
  quantity     TEXT NOT NULL,             -- volume, energy, flow_temperature, pulses, ...
  resource     TEXT NOT NULL,             -- cold_water, hot_water, heat, ...
  channel      INTEGER NOT NULL DEFAULT 0,   -- 0 when the device has no channels
  storage      INTEGER NOT NULL DEFAULT 0,   -- M-Bus storage number; 0 = current value
  tariff       INTEGER NOT NULL DEFAULT 0,
  value        REAL NOT NULL,             -- in the canonical unit
  unit         TEXT NOT NULL,
  measured_at  INTEGER NOT NULL,          -- Unix seconds, on the common time base
  received_at  INTEGER NOT NULL,          -- Unix seconds, when the frame was accepted
  frame_id     INTEGER REFERENCES uplink_frame(id) ON DELETE SET NULL,
  flags        TEXT NOT NULL DEFAULT 'measured',  -- comma-separated quality flags
  UNIQUE (dev_eui, quantity, channel, storage, tariff, measured_at)
);
CREATE INDEX reading_device_time ON reading(dev_eui, quantity, measured_at);
CREATE INDEX reading_frame ON reading(frame_id);

-- The tracked offset of each device's clock (device − network, seconds) and its reporting period.
CREATE TABLE device_clock (
  dev_eui            TEXT PRIMARY KEY REFERENCES device(dev_eui) ON DELETE CASCADE,
  offset_s           REAL,
  observations       INTEGER NOT NULL DEFAULT 0,
  updated_at         INTEGER NOT NULL,
  reporting_period_s INTEGER,              -- from DEVICE INFO; NULL: unknown (24 h assumed)
  correction_sent_at INTEGER               -- last time a correction downlink was queued
);

CREATE TABLE alarm (
  id             INTEGER PRIMARY KEY,
  dev_eui        TEXT NOT NULL REFERENCES device(dev_eui) ON DELETE CASCADE,
  kind           TEXT NOT NULL,           -- leak, burst, magnetic_influence, ..., silent
  opened_at      INTEGER NOT NULL,
  closed_at      INTEGER,
  open_frame_id  INTEGER REFERENCES uplink_frame(id) ON DELETE SET NULL,
  close_frame_id INTEGER REFERENCES uplink_frame(id) ON DELETE SET NULL
);
-- At most one open alarm of a kind per device.
CREATE UNIQUE INDEX alarm_open ON alarm(dev_eui, kind) WHERE closed_at IS NULL;
CREATE INDEX alarm_device ON alarm(dev_eui, opened_at);
