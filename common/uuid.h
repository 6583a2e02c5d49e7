#pragma once
// Random (version 4) UUIDs in the canonical lower-case 8-4-4-4-12 form, for identifiers handed
// to integrations that must never repeat: application ids, queue item ids. Thread-safe (one
// generator per thread, seeded from the OS). The network server's per-frame deduplication ids
// are made by its own cheaper generator (NetworkServer::new_uuid); this one is for rare events.
#include <optional>
#include <string>
#include <string_view>

namespace uchet::common {

std::string random_uuid();
// The canonical (lower-case) form of a UUID written as 8-4-4-12 hexadecimal digits
// ("0c5b2444-70a0-4932-980c-b4dc0d3f02b5", either case), or std::nullopt for anything else.
std::optional<std::string> canonical_uuid(std::string_view text);

}  // namespace uchet::common
