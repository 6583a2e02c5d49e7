#include "schema/key_encryption.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "netserver/lorawan/encoding.h"
#include "schema/statement.h"

namespace uchet::schema {
namespace {

constexpr std::size_t kPlainHex = 32;    // a 16-byte key
constexpr std::size_t kWrappedHex = 48;  // its RFC 3394 wrap: 24 bytes

// The check value is the KEK's wrap of this block.
const lorawan::Key kCheckBlock{};

std::mutex registry_mutex;
std::map<std::string, std::shared_ptr<const KeyEncryptionKey>>& registry() {
  static std::map<std::string, std::shared_ptr<const KeyEncryptionKey>> files;
  return files;
}

std::string registry_name(const std::string& path) {
  std::error_code ec;
  auto canonical = std::filesystem::weakly_canonical(path, ec);
  return ec ? path : canonical.string();
}

std::string wrap_to_text(const KeyEncryptionKey& kek, const lorawan::Key& key) {
  auto wrapped = wrap_key(kek, key);
  if (!wrapped) throw StorageError("wrapping a key: " + wrapped.error());
  return lorawan::to_hex(*wrapped);
}

// The keys of one table, read before any is rewritten (a statement is not stepped while the
// table changes under it).
struct KeyRow {
  std::string dev_eui;
  std::vector<std::optional<std::string>> keys;
};

std::vector<KeyRow> key_rows(Database& db, const std::string& select, int key_columns) {
  Statement q(db, select);
  std::vector<KeyRow> rows;
  while (q.step()) {
    KeyRow row{q.text(0), {}};
    for (int c = 1; c <= key_columns; ++c) row.keys.push_back(q.optional_text(c));
    rows.push_back(std::move(row));
  }
  return rows;
}

// Rewrites every key column of `table` wrapped; returns how many keys it wrapped.
int wrap_table(Database& db, const KeyEncryptionKey& kek, const std::string& table,
               const std::vector<std::string>& columns) {
  std::string select = "SELECT dev_eui";
  std::string update = "UPDATE " + table + " SET ";
  for (std::size_t i = 0; i < columns.size(); ++i) {
    select += ", " + columns[i];
    update += (i ? ", " : "") + columns[i] + " = ?";
  }
  select += " FROM " + table;
  update += " WHERE dev_eui = ?";
  int wrapped = 0;
  for (const auto& row : key_rows(db, select, static_cast<int>(columns.size()))) {
    Statement q(db, update);
    for (std::size_t i = 0; i < columns.size(); ++i) {
      std::optional<std::string> text;
      if (row.keys[i]) {
        auto key = lorawan::parse_key(*row.keys[i]);
        if (!key)
          throw StorageError(table + "." + columns[i] + " of " + row.dev_eui + " is not a plain key: " + key.error());
        text = wrap_to_text(kek, *key);
        ++wrapped;
      }
      q.bind(static_cast<int>(i + 1), text);
    }
    q.bind(static_cast<int>(columns.size() + 1), row.dev_eui).run();
  }
  return wrapped;
}

}  // namespace

lorawan::Result<KeyEncryptionKey> read_kek_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::unexpected("cannot read " + path);
  if ((st.st_mode & 0137) != 0) {
    std::ostringstream mode;
    mode << std::oct << (st.st_mode & 0777);
    return std::unexpected(path + " has mode 0" + mode.str() +
                           "; it must be readable by its owner and group only (chmod 0640 or 0600)");
  }
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return std::unexpected("cannot read " + path);
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (text.size() != 64) return std::unexpected(path + " must hold 64 hex digits (a 256-bit key)");
  auto bytes = lorawan::parse_hex(text);
  if (!bytes) return std::unexpected(path + " must hold 64 hex digits (a 256-bit key)");
  return KeyEncryptionKey{*bytes};
}

lorawan::Result<KeyEncryptionState> open_key_encryption(Database& db, const std::optional<KeyEncryptionKey>& kek) {
  std::optional<std::string> check_value;
  {
    Statement q(db, "SELECT check_value FROM key_encryption WHERE id = 1");
    if (q.step()) check_value = q.text(0);
  }
  KeyEncryptionState state;
  if (!kek) {
    if (check_value) {
      return std::unexpected("the keys in " + db.path() +
                             " are wrapped with a key-encryption key: set storage.kek_file to the file holding it");
    }
    return state;
  }
  auto shared = std::make_shared<const KeyEncryptionKey>(*kek);
  if (check_value) {
    auto wrapped = lorawan::parse_hex(*check_value);
    auto unwrapped = wrapped ? unwrap_key(*kek, *wrapped) : std::unexpected(wrapped.error());
    if (!unwrapped || !std::equal(unwrapped->begin(), unwrapped->end(), kCheckBlock.begin(), kCheckBlock.end())) {
      return std::unexpected("storage.kek_file: this is not the key-encryption key the keys in " + db.path() +
                             " were wrapped with; nothing was changed");
    }
  } else {
    // First start with a KEK: every key wrapped, and the check value stored, or nothing.
    Transaction tx(db);
    state.keys_wrapped_now += wrap_table(db, *kek, "device", {"app_key", "nwk_key"});
    state.keys_wrapped_now +=
        wrap_table(db, *kek, "device_session", {"f_nwk_s_int_key", "s_nwk_s_int_key", "nwk_s_enc_key", "app_s_key"});
    Statement(db, "INSERT INTO key_encryption (id, check_value, wrapped_at) VALUES (1, ?, ?)")
        .bind(1, wrap_to_text(*kek, kCheckBlock))
        .bind(2, unix_now())
        .run();
    tx.commit();
  }
  state.wrapped = true;
  db.set_key_encryption_key(shared);
  std::lock_guard lock(registry_mutex);
  registry()[registry_name(db.path())] = shared;
  return state;
}

std::shared_ptr<const KeyEncryptionKey> registered_key_encryption_key(const std::string& path) {
  std::lock_guard lock(registry_mutex);
  auto it = registry().find(registry_name(path));
  return it == registry().end() ? nullptr : it->second;
}

std::string key_column_text(Database& db, const lorawan::Key& key) {
  if (const auto* kek = db.key_encryption_key()) return wrap_to_text(*kek, key);
  return lorawan::key_to_string(key);
}

lorawan::Key key_from_column(Database& db, std::string_view text, std::string_view where) {
  const auto* kek = db.key_encryption_key();
  if (!kek) {
    if (text.size() == kWrappedHex) {
      throw StorageError("a wrapped key in " + std::string(where) + ": the database needs storage.kek_file");
    }
    auto key = lorawan::parse_key(text);
    if (!key) throw StorageError("corrupt key in " + std::string(where) + ": " + key.error());
    return *key;
  }
  if (text.size() != kWrappedHex) {
    throw StorageError("a key in " + std::string(where) + " is not wrapped although the database's keys are");
  }
  auto wrapped = lorawan::parse_hex(text);
  if (!wrapped) throw StorageError("corrupt wrapped key in " + std::string(where) + ": " + wrapped.error());
  auto plain = unwrap_key(*kek, *wrapped);
  if (!plain || plain->size() != 16) {
    throw StorageError("a key in " + std::string(where) +
                       " does not unwrap: " + (plain ? "wrong size" : plain.error()));
  }
  lorawan::Key key{};
  std::copy(plain->begin(), plain->end(), key.begin());
  return key;
}

}  // namespace uchet::schema
