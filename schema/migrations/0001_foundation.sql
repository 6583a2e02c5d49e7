-- Foundation: the registry (applications, gateways, devices), LoRaWAN sessions, join state,
-- the downlink queue and the MQTT outbox. Identifiers are stored as lower-case hex text, the
-- form operators read and type; times are Unix seconds (UTC) unless a column says otherwise.

CREATE TABLE application (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL
);

CREATE TABLE gateway (
  gateway_eui   TEXT PRIMARY KEY CHECK (length(gateway_eui) = 16),
  name          TEXT NOT NULL,
  latitude      REAL,
  longitude     REAL,
  altitude      REAL,
  created_at    INTEGER NOT NULL,
  last_seen_at  INTEGER,
  rx_received   INTEGER NOT NULL DEFAULT 0,  -- cumulative sums of the per-interval stat counters
  rx_ok         INTEGER NOT NULL DEFAULT 0,
  rx_forwarded  INTEGER NOT NULL DEFAULT 0,
  tx_received   INTEGER NOT NULL DEFAULT 0,
  tx_emitted    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE device (
  dev_eui        TEXT PRIMARY KEY CHECK (length(dev_eui) = 16),
  application_id INTEGER NOT NULL REFERENCES application(id),
  name           TEXT NOT NULL DEFAULT '',
  serial         TEXT NOT NULL DEFAULT '',
  codec          TEXT NOT NULL DEFAULT '',
  mac_version    TEXT NOT NULL CHECK (mac_version IN ('1.0.2', '1.0.3', '1.0.4', '1.1')),
  device_class   TEXT NOT NULL DEFAULT 'A' CHECK (device_class IN ('A', 'C')),
  activation     TEXT NOT NULL CHECK (activation IN ('otaa', 'abp')),
  join_eui       TEXT,            -- OTAA only
  app_key        TEXT,            -- OTAA only
  nwk_key        TEXT,            -- OTAA 1.1 only
  fcnt_policy    TEXT NOT NULL DEFAULT 'strict' CHECK (fcnt_policy IN ('strict', 'reset-allowed')),
  join_nonce     INTEGER NOT NULL DEFAULT 0,  -- last JoinNonce sent; each join-accept uses a larger one
  created_at     INTEGER NOT NULL
);
CREATE INDEX device_application ON device(application_id);

-- The active LoRaWAN session of a device (OTAA after a join, ABP from provisioning).
-- For 1.0.x the three network keys are all the NwkSKey.
CREATE TABLE device_session (
  dev_eui          TEXT PRIMARY KEY REFERENCES device(dev_eui) ON DELETE CASCADE,
  dev_addr         TEXT NOT NULL CHECK (length(dev_addr) = 8),
  mac_version      TEXT NOT NULL,
  f_nwk_s_int_key  TEXT NOT NULL,
  s_nwk_s_int_key  TEXT NOT NULL,
  nwk_s_enc_key    TEXT NOT NULL,
  app_s_key        TEXT NOT NULL,
  f_cnt_up         INTEGER NOT NULL DEFAULT 0,  -- next expected 32-bit FCntUp
  n_f_cnt_down     INTEGER NOT NULL DEFAULT 0,  -- next NFCntDown (1.0.x: the only FCntDown)
  a_f_cnt_down     INTEGER NOT NULL DEFAULT 0,  -- next AFCntDown (1.1)
  rx1_delay        INTEGER NOT NULL DEFAULT 1,
  rx1_dr_offset    INTEGER NOT NULL DEFAULT 0,
  rx2_dr           INTEGER,                     -- NULL: the region's default
  rx2_frequency    INTEGER,                     -- Hz; NULL: the region's default
  dr               INTEGER NOT NULL DEFAULT 0,  -- data rate of the last uplink / ADR target
  tx_power_index   INTEGER NOT NULL DEFAULT 0,
  nb_trans         INTEGER NOT NULL DEFAULT 1,
  mac_state        TEXT NOT NULL DEFAULT '{}',  -- JSON: pending MAC requests, ADR history, ...
  created_at       INTEGER NOT NULL,
  last_uplink_at   INTEGER
);
CREATE INDEX device_session_dev_addr ON device_session(dev_addr);

-- DevNonces already used in join-requests, so that a replayed join-request is refused.
CREATE TABLE dev_nonce (
  dev_eui   TEXT NOT NULL REFERENCES device(dev_eui) ON DELETE CASCADE,
  join_eui  TEXT NOT NULL,
  dev_nonce INTEGER NOT NULL,
  used_at   INTEGER NOT NULL,
  PRIMARY KEY (dev_eui, join_eui, dev_nonce)
);

CREATE TABLE downlink_queue (
  id            INTEGER PRIMARY KEY,
  dev_eui       TEXT NOT NULL REFERENCES device(dev_eui) ON DELETE CASCADE,
  f_port        INTEGER NOT NULL CHECK (f_port BETWEEN 1 AND 223),
  data          BLOB NOT NULL,
  confirmed     INTEGER NOT NULL DEFAULT 0,
  created_at    INTEGER NOT NULL,
  expires_at    INTEGER,                      -- NULL: never expires
  f_cnt_down    INTEGER,                      -- set when sent (a confirmed item waits for its ACK)
  sent_at       INTEGER,
  attempts      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX downlink_queue_device ON downlink_queue(dev_eui, id);

-- Events waiting for the MQTT broker's acknowledgement. A row is written in the same
-- transaction as the data it announces and deleted only after PUBACK.
CREATE TABLE outbox (
  id         INTEGER PRIMARY KEY,
  topic      TEXT NOT NULL,
  payload    TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- Bumped by every change to the registry so a running uchetd notices uchetctl's edits by
-- polling one integer.
CREATE TABLE registry_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
INSERT INTO registry_version (id, version) VALUES (1, 0);
CREATE TRIGGER application_changed_i AFTER INSERT ON application BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER application_changed_u AFTER UPDATE ON application BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER application_changed_d AFTER DELETE ON application BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER gateway_changed_i AFTER INSERT ON gateway BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER gateway_changed_u AFTER UPDATE OF name, latitude, longitude, altitude ON gateway BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER gateway_changed_d AFTER DELETE ON gateway BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER device_changed_i AFTER INSERT ON device BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER device_changed_u AFTER UPDATE OF application_id, name, serial, codec, mac_version, device_class, activation, join_eui, app_key, nwk_key, fcnt_policy ON device BEGIN UPDATE registry_version SET version = version + 1; END;
CREATE TRIGGER device_changed_d AFTER DELETE ON device BEGIN UPDATE registry_version SET version = version + 1; END;
