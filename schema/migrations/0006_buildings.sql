-- The metering domain around devices: objects (buildings), their premises (apartments and
-- non-residential units), metering points (where a resource is measured; a point outlives its
-- meters) and the history of which meter measured which point. Plus the operator's manual
-- readings, billing norms and dated billing rules, per-object alarms and the daily balances
-- already published.

CREATE TABLE metering_object (
  id              INTEGER PRIMARY KEY,
  name            TEXT NOT NULL UNIQUE,
  address         TEXT NOT NULL DEFAULT '',
  fias_house_guid TEXT NOT NULL DEFAULT '',   -- FIAS/GAR house GUID, lower-case UUID text
  time_zone       TEXT NOT NULL DEFAULT '',   -- empty: the configuration's [time] time_zone
  latitude        REAL,
  longitude       REAL,
  created_at      INTEGER NOT NULL
);

CREATE TABLE premise (
  id             INTEGER PRIMARY KEY,
  object_id      INTEGER NOT NULL REFERENCES metering_object(id) ON DELETE CASCADE,
  number         TEXT NOT NULL,                 -- "12", "12А", "Н-3"
  kind           TEXT NOT NULL CHECK (kind IN ('residential', 'non_residential')),
  area_m2        REAL CHECK (area_m2 IS NULL OR area_m2 > 0),
  account        TEXT NOT NULL DEFAULT '',      -- personal account number (лицевой счёт)
  UNIQUE (object_id, number)
);

CREATE TABLE metering_point (
  id         INTEGER PRIMARY KEY,
  object_id  INTEGER NOT NULL REFERENCES metering_object(id) ON DELETE CASCADE,
  name       TEXT NOT NULL,                     -- unique within the object: "odpu-cw", "12-hw"
  resource   TEXT NOT NULL CHECK (resource IN ('cold_water', 'hot_water', 'heat', 'electricity')),
  level      TEXT NOT NULL CHECK (level IN ('building', 'premise')),
  premise_id INTEGER REFERENCES premise(id) ON DELETE CASCADE,
  UNIQUE (object_id, name),
  CHECK ((level = 'premise') = (premise_id IS NOT NULL))
);
CREATE INDEX metering_point_object ON metering_point(object_id, resource);

-- Which device measured which point, from when to when, with the register at both ends.
CREATE TABLE meter_installation (
  id                INTEGER PRIMARY KEY,
  point_id          INTEGER NOT NULL REFERENCES metering_point(id) ON DELETE CASCADE,
  dev_eui           TEXT NOT NULL REFERENCES device(dev_eui),
  installed_at      INTEGER NOT NULL,
  installed_reading REAL NOT NULL,
  removed_at        INTEGER,
  removed_reading   REAL,
  seal              TEXT NOT NULL DEFAULT '',
  CHECK ((removed_at IS NULL) = (removed_reading IS NULL)),
  CHECK (removed_at IS NULL OR removed_at > installed_at)
);
-- A device is installed at one point at a time; a point has one meter at a time.
CREATE UNIQUE INDEX meter_installation_open_device ON meter_installation(dev_eui) WHERE removed_at IS NULL;
CREATE UNIQUE INDEX meter_installation_open_point ON meter_installation(point_id) WHERE removed_at IS NULL;
CREATE INDEX meter_installation_point ON meter_installation(point_id, installed_at);

-- Manual values (editing in VEE): added beside the raw readings, which are never overwritten.
CREATE TABLE manual_reading (
  id          INTEGER PRIMARY KEY,
  dev_eui     TEXT NOT NULL REFERENCES device(dev_eui) ON DELETE CASCADE,
  quantity    TEXT NOT NULL,
  measured_at INTEGER NOT NULL,
  value       REAL NOT NULL,
  reason      TEXT NOT NULL CHECK (length(reason) > 0),
  entered_by  TEXT NOT NULL DEFAULT '',
  recorded_at INTEGER NOT NULL
);
CREATE INDEX manual_reading_device ON manual_reading(dev_eui, quantity, measured_at);

-- Monthly consumption norm (норматив) per premise, per object and resource, from a date on.
CREATE TABLE billing_norm (
  object_id  INTEGER NOT NULL REFERENCES metering_object(id) ON DELETE CASCADE,
  resource   TEXT NOT NULL,
  valid_from INTEGER NOT NULL,
  per_month  REAL NOT NULL CHECK (per_month >= 0),
  PRIMARY KEY (object_id, resource, valid_from)
);

-- Billing by average (Decree 354 items 59-60) as dated rules; the newest rule whose valid_from is
-- not after a billing month's start applies to that month.
CREATE TABLE billing_rule (
  valid_from                  INTEGER PRIMARY KEY,
  average_months              INTEGER NOT NULL CHECK (average_months >= 1),
  min_history_months          INTEGER NOT NULL CHECK (min_history_months >= 1),
  max_periods_residential     INTEGER NOT NULL CHECK (max_periods_residential >= 0),
  max_periods_non_residential INTEGER NOT NULL CHECK (max_periods_non_residential >= 0),
  source                      TEXT NOT NULL DEFAULT ''
);
INSERT INTO billing_rule VALUES (0, 6, 3, 3, 2, 'Decree 354 items 59-60: 6-month average (at least 3), 3/2 periods, then the norm');

CREATE TABLE object_alarm (
  id        INTEGER PRIMARY KEY,
  object_id INTEGER NOT NULL REFERENCES metering_object(id) ON DELETE CASCADE,
  kind      TEXT NOT NULL,           -- imbalance
  resource  TEXT NOT NULL DEFAULT '',
  opened_at INTEGER NOT NULL,
  closed_at INTEGER
);
CREATE UNIQUE INDEX object_alarm_open ON object_alarm(object_id, kind, resource) WHERE closed_at IS NULL;

-- Closed days whose balance has been published, so each is published once.
CREATE TABLE balance_day (
  object_id     INTEGER NOT NULL REFERENCES metering_object(id) ON DELETE CASCADE,
  resource      TEXT NOT NULL,
  day_start     INTEGER NOT NULL,
  imbalance_pct REAL,               -- NULL when the building meter had no value
  PRIMARY KEY (object_id, resource, day_start)
);
