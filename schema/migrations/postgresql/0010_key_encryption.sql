-- Root and session keys at rest (storage.kek_file, schema/key_encryption.h). While this table is
-- empty every key in device and device_session is plain (32 hex digits); once its one row exists,
-- every key there is wrapped with the key-encryption key (RFC 3394, 48 hex digits) whose wrap of
-- sixteen zero bytes is check_value, so that a wrong KEK is refused before anything is read.
CREATE TABLE key_encryption (
  id          BIGINT PRIMARY KEY CHECK (id = 1),
  check_value TEXT NOT NULL,
  wrapped_at  BIGINT NOT NULL
);
