-- Webhook delivery ([[integration.http]]): each configured endpoint has its own copy of every
-- event, written by a trigger in the same transaction as the outbox row, so an endpoint that is
-- down keeps its backlog here and never holds back MQTT or another endpoint. Rows are deleted
-- once the endpoint has answered them; ids are never reused.
CREATE TABLE http_endpoint (
  id  INTEGER PRIMARY KEY,
  url TEXT NOT NULL UNIQUE
);
CREATE TABLE http_outbox (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  endpoint_id INTEGER NOT NULL REFERENCES http_endpoint(id) ON DELETE CASCADE,
  topic       TEXT NOT NULL,
  payload     TEXT NOT NULL
);
CREATE INDEX http_outbox_endpoint ON http_outbox(endpoint_id, id);
CREATE TRIGGER outbox_to_http AFTER INSERT ON outbox BEGIN
  INSERT INTO http_outbox (endpoint_id, topic, payload) SELECT id, NEW.topic, NEW.payload FROM http_endpoint;
END;
