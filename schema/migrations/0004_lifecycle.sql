-- The meter lifecycle passport: static passport fields per device and an append-only log of
-- lifecycle events (manufactured, installed, commissioned, verified, ...). The device's state is
-- derived from the log by appserver/lifecycle (never stored). Kinds and roles are checked in
-- code, not by CHECK constraints, so that later releases can add kinds without rebuilding tables.

CREATE TABLE passport (
  dev_eui                     TEXT PRIMARY KEY REFERENCES device(dev_eui) ON DELETE CASCADE,
  model                       TEXT NOT NULL DEFAULT '',
  owner                       TEXT NOT NULL DEFAULT '',
  verification_interval_years INTEGER CHECK (verification_interval_years BETWEEN 1 AND 50),
  manufactured_on             INTEGER,  -- start of the local day of manufacture (Unix seconds)
  last_verified_on            INTEGER,  -- last verification known from outside the event log
  updated_at                  INTEGER NOT NULL
);

CREATE TABLE lifecycle_event (
  id          INTEGER PRIMARY KEY,
  dev_eui     TEXT NOT NULL REFERENCES device(dev_eui) ON DELETE CASCADE,
  kind        TEXT NOT NULL,
  at          INTEGER NOT NULL,           -- when it happened (Unix seconds)
  actor       TEXT NOT NULL,
  role        TEXT NOT NULL,
  details     TEXT NOT NULL DEFAULT '{}', -- a JSON object
  document    TEXT NOT NULL DEFAULT '',   -- act / certificate / Аршин record reference
  recorded_at INTEGER NOT NULL
);
CREATE INDEX lifecycle_event_device ON lifecycle_event(dev_eui, at, id);

-- Append-only: rows are never changed or deleted, except by the cascade when their device is
-- removed (the device row is already gone when the cascade deletes its events).
CREATE TRIGGER lifecycle_event_no_update BEFORE UPDATE ON lifecycle_event
BEGIN
  SELECT RAISE(ABORT, 'lifecycle_event is append-only: events cannot be changed');
END;

CREATE TRIGGER lifecycle_event_no_delete BEFORE DELETE ON lifecycle_event
WHEN EXISTS (SELECT 1 FROM device WHERE dev_eui = OLD.dev_eui)
BEGIN
  SELECT RAISE(ABORT, 'lifecycle_event is append-only: events cannot be deleted');
END;
