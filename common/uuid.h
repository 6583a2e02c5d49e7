#pragma once
// Random (version 4) UUIDs in the canonical lower-case 8-4-4-4-12 form, for identifiers handed
// to integrations that must never repeat: application ids, queue item ids. Thread-safe (one
// generator per thread, seeded from the OS). The network server's per-frame deduplication ids
// are made by its own cheaper generator (NetworkServer::new_uuid); this one is for rare events.
#include <string>
#include <string_view>

namespace uchet::common {

std::string random_uuid();
// True for a UUID in the canonical form (any version, hex digits in either case).
bool is_uuid(std::string_view text);

}  // namespace uchet::common
