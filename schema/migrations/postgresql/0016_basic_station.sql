-- LoRa Basics Station gateways (issue 20): a gateway registered here may connect to uchetd's
-- Basics Station server ([basic_station] bind). `credential` says how it proves who it is:
-- 'token' (the SHA-256 of the bearer token its tc.key sends; the token itself is never stored),
-- 'client_certificate' (the SHA-256 fingerprint of its TLS client certificate, DER) or 'none'
-- (only its EUI is checked: accepted only when the server runs without TLS). The connection
-- columns are written by uchetd (every minute and at stop) for `uchetctl gateway show`.
CREATE TABLE gateway_basic_station (
  gateway_eui        TEXT PRIMARY KEY REFERENCES gateway (gateway_eui) ON DELETE CASCADE,
  credential         TEXT NOT NULL CHECK (credential IN ('none', 'token', 'client_certificate')),
  credential_sha256  BYTEA CHECK ((credential = 'none') = (credential_sha256 IS NULL)
                                  AND (credential_sha256 IS NULL OR length(credential_sha256) = 32)),
  connected          BIGINT NOT NULL DEFAULT 0 CHECK (connected IN (0, 1)),
  connected_since    BIGINT,  -- unix seconds of the current (or last) connection
  last_seen_at       BIGINT,  -- unix seconds of the last message or pong
  state_updated_at   BIGINT   -- when uchetd last wrote the three columns above
);
-- A credential change reaches a running uchetd like every registry change (registry_version);
-- the connection columns do not bump it.
CREATE TRIGGER gateway_basic_station_changed_i AFTER INSERT ON gateway_basic_station FOR EACH ROW EXECUTE FUNCTION registry_changed();
CREATE TRIGGER gateway_basic_station_changed_u AFTER UPDATE OF credential, credential_sha256 ON gateway_basic_station FOR EACH ROW EXECUTE FUNCTION registry_changed();
CREATE TRIGGER gateway_basic_station_changed_d AFTER DELETE ON gateway_basic_station FOR EACH ROW EXECUTE FUNCTION registry_changed();
