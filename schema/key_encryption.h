#pragma once
// Root keys (AppKey, NwkKey) and session keys at rest: plain, or wrapped with a key-encryption
// key (KEK, schema/key_wrap.h) read from `storage.kek_file`.
//
// A database is in one of two states, told by the key_encryption table (migration 0008): plain
// (no row) or wrapped (a row holding the KEK's check value; every key in device and
// device_session wrapped). uchetd and uchetctl call open_key_encryption once, right after
// opening the database and before anything reads a key:
//   - no KEK, plain database: keys stay plain (the caller says so in its log);
//   - no KEK, wrapped database: refused (the keys cannot be read);
//   - KEK, wrapped database: the check value must unwrap with it, else refused (a wrong KEK);
//   - KEK, plain database: every key is wrapped and the check value stored in one transaction
//     (all or nothing).
// From then on the connection, and every connection this process opens later on the same file,
// wraps keys on write and unwraps them on read inside the device and session stores
// (key_column_text / key_from_column below); nothing above schema/ sees a wrapped key.
// Not thread-safe per connection (like Database); the process-wide registry is locked.
#include <optional>
#include <string>
#include <string_view>

#include "netserver/lorawan/types.h"
#include "schema/database.h"
#include "schema/key_wrap.h"

namespace uchet::schema {

// The KEK file: 64 hex digits (an AES-256 key), optionally followed by one newline, nothing
// else. Refused, with the reason, when it cannot be read, has another form, or its mode lets
// anyone but the owner and the owner's group read it or anyone but the owner write it (mode
// must be within 0640; `install -m 0640 -o root -g uchet`).
lorawan::Result<KeyEncryptionKey> read_kek_file(const std::string& path);

struct KeyEncryptionState {
  bool wrapped = false;      // keys are stored wrapped (a KEK was given and matches)
  int keys_wrapped_now = 0;  // keys this call wrapped (first start with a KEK), else 0
};

// Applies the rules above to `db` (opened with Database::open). Errors are the refusals, each a
// sentence for the operator; the database is unchanged after one.
lorawan::Result<KeyEncryptionState> open_key_encryption(Database& db, const std::optional<KeyEncryptionKey>& kek);

// The KEK open_key_encryption verified for the file at `path` in this process, if any
// (Database::open attaches it to new connections).
std::shared_ptr<const KeyEncryptionKey> registered_key_encryption_key(const std::string& path);

// For the stores: a key as its column holds it on this connection (wrapped with the
// connection's KEK, else plain hex), and back. key_from_column throws StorageError, naming
// `where`, on a key in the other form than the connection expects or one that does not unwrap.
std::string key_column_text(Database& db, const lorawan::Key& key);
lorawan::Key key_from_column(Database& db, std::string_view text, std::string_view where);

}  // namespace uchet::schema
