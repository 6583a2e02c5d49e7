#pragma once
// Transmissions relayed between uchetd instances on one PostgreSQL (table relayed_downlink,
// migration 0019; gateway-bridge/cluster_relay/ uses it): the sender inserts a row for the
// instance holding the gateway's path and notifies it in the same transaction; the holder takes
// the row, sends it and writes the outcome; the sender reads the outcome and deletes the row.
// Taking and writing an outcome are conditional updates, so that of two writers (the holder's
// outcome, the sender giving up) exactly one wins. The transmission is stored as the relay's
// text (its serialisation is not this store's business).
//
// Free functions on the caller's connection and thread, like every store.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "netserver/lorawan/types.h"
#include "schema/database.h"

namespace uchet::schema {

struct RelayedDownlink {
  std::int64_t id = 0;
  lorawan::Eui64 gateway_eui = 0;
  std::string from_instance, to_instance;
  std::string transmission;
  std::int64_t not_after_us = 0;  // unix µs
  std::int64_t created_at_us = 0;
  std::optional<std::int64_t> taken_at_us;
  std::optional<std::string> outcome;  // TxStatus name, or "NO_OUTCOME"
  std::string detail, warning;
};

// Returns the new row's id (`row.id` is ignored).
std::int64_t insert_relayed_downlink(Database& db, const RelayedDownlink& row);
// Rows for `to_instance` neither taken nor answered yet, oldest first.
std::vector<RelayedDownlink> relayed_downlinks_to(Database& db, std::string_view to_instance);
// The holder takes the row: true when it was neither taken nor answered (nobody else will send it).
bool take_relayed_downlink(Database& db, std::int64_t id, std::int64_t now_us);
// Writes the outcome when none was written yet: true when this write won.
bool answer_relayed_downlink(Database& db, std::int64_t id, std::string_view outcome, std::string_view detail,
                             std::string_view warning);
// Rows sent by `from_instance` that have an outcome, oldest first.
std::vector<RelayedDownlink> answered_relayed_downlinks(Database& db, std::string_view from_instance);
std::optional<RelayedDownlink> find_relayed_downlink(Database& db, std::int64_t id);
void delete_relayed_downlink(Database& db, std::int64_t id);
// Deletes rows created before `before_us` (a sender that died before reading its outcomes);
// returns how many.
int prune_relayed_downlinks(Database& db, std::int64_t before_us);

}  // namespace uchet::schema
