#include "tools/config.h"

#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <cctype>
#include <charconv>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "appserver/integration/http_integration.h"
#include "appserver/integration/http_poster.h"
#include "appserver/integration/topics.h"
#include "appserver/metering/time_zone.h"
#include "common/authority.h"
#include "common/names.h"
#include "common/token_file.h"
#include "common/uuid.h"
#include "netserver/lorawan/cf_list.h"
#include "netserver/lorawan/encoding.h"
#include "netserver/lorawan/region.h"
#include "schema/instances.h"
#include "schema/key_encryption.h"
#include "schema/location.h"
#include "tools/toml_guard.h"

namespace uchet {
namespace {

using lorawan::Result;

// One configuration key: how to read it from its TOML node into Config.
// `apply` returns an empty string on success, else why the value is impossible.
struct KeySpec {
  std::function<std::string(const toml::node&, Config&)> apply;
};

template <class T>
std::optional<T> node_value(const toml::node& node);

template <>
std::optional<std::string> node_value<std::string>(const toml::node& node) {
  if (auto v = node.value_exact<std::string>()) return *v;
  return std::nullopt;
}
template <>
std::optional<std::int64_t> node_value<std::int64_t>(const toml::node& node) {
  if (auto v = node.value_exact<std::int64_t>()) return *v;
  return std::nullopt;
}
template <>
std::optional<double> node_value<double>(const toml::node& node) {
  if (auto v = node.value_exact<double>()) return *v;
  if (auto i = node.value_exact<std::int64_t>()) return static_cast<double>(*i);
  return std::nullopt;
}

template <>
std::optional<std::vector<std::int64_t>> node_value<std::vector<std::int64_t>>(const toml::node& node) {
  const auto* array = node.as_array();
  if (!array) return std::nullopt;
  std::vector<std::int64_t> out;
  for (const auto& element : *array) {
    auto v = element.value_exact<std::int64_t>();
    if (!v) return std::nullopt;
    out.push_back(*v);
  }
  return out;
}

const char* type_name(const std::vector<std::int64_t>*) { return "an array of integers"; }
const char* type_name(const std::string*) { return "a string"; }
const char* type_name(const std::int64_t*) { return "an integer"; }
const char* type_name(const double*) { return "a number"; }

// Builds a KeySpec for a value of TOML type T, converted and checked by `set`.
template <class T>
KeySpec key(std::function<std::string(const T&, Config&)> set) {
  return KeySpec{[set](const toml::node& node, Config& config) -> std::string {
    auto v = node_value<T>(node);
    if (!v) return std::string("must be ") + type_name(static_cast<const T*>(nullptr));
    return set(*v, config);
  }};
}

template <class Section>
KeySpec text_key(Section Config::*section, std::string Section::*field, bool may_be_empty) {
  return key<std::string>([=](const std::string& v, Config& c) -> std::string {
    if (!may_be_empty && v.empty()) return "must not be empty";
    (c.*section).*field = v;
    return "";
  });
}

template <class Section, class Field>
KeySpec int_key(Section Config::*section, Field Section::*field, std::int64_t min, std::int64_t max) {
  return key<std::int64_t>([=](const std::int64_t& v, Config& c) -> std::string {
    if (v < min || v > max) return "must be between " + std::to_string(min) + " and " + std::to_string(max);
    (c.*section).*field = static_cast<Field>(v);
    return "";
  });
}

template <class Section>
KeySpec real_key(Section Config::*section, double Section::*field, double min, double max) {
  return key<double>([=](const double& v, Config& c) -> std::string {
    if (!(v >= min && v <= max)) return "must be between " + fmt::format("{}", min) + " and " + fmt::format("{}", max);
    (c.*section).*field = v;
    return "";
  });
}

// host:port. With `empty_is_off`, "" is accepted too and means the listener is off.
template <class Section>
KeySpec address_key(Section Config::*section, std::string Section::*field, bool empty_is_off = false) {
  return key<std::string>([=](const std::string& v, Config& c) -> std::string {
    if (empty_is_off && v.empty()) {
      ((c.*section).*field).clear();
      return "";
    }
    auto parsed = parse_host_port(v, "address");
    if (!parsed) return parsed.error();
    (c.*section).*field = v;
    return "";
  });
}

// A file read later (at start): checked readable now, so that --check-config names it. Empty: unset.
template <class Section>
KeySpec readable_file_key(Section Config::*section, std::string Section::*field) {
  return key<std::string>([=](const std::string& v, Config& c) -> std::string {
    if (!v.empty() && !std::ifstream(v)) return "cannot read the file '" + v + "'";
    (c.*section).*field = v;
    return "";
  });
}

const std::map<std::string, std::map<std::string, KeySpec>>& key_table() {
  static const std::map<std::string, std::map<std::string, KeySpec>> table = {
      {"storage",
       {{"backend", key<std::string>([](const std::string& v, Config& c) -> std::string {
           if (v != "sqlite" && v != "postgresql") return "must be \"sqlite\" or \"postgresql\"";
           c.storage.backend = v;
           return "";
         })},
        {"path", key<std::string>([](const std::string& v, Config& c) -> std::string {
           if (v.empty()) return "must not be empty";
           c.storage.path = v;
           c.storage.path_given = true;
           return "";
         })},
        {"dsn", key<std::string>([](const std::string& v, Config& c) -> std::string {
           if (!schema::is_postgresql_location(v))
             return "must be a PostgreSQL connection URI (postgresql://user@host/database)";
           c.storage.dsn = v;
           return "";
         })},
        {"frame_retention_days", int_key(&Config::storage, &Config::Storage::frame_retention_days, 0, 36500)},
        {"kek_file", key<std::string>([](const std::string& v, Config& c) -> std::string {
           // Read now: a missing, malformed or too widely readable file stops uchetd at start.
           c.storage.kek_file = v;
           c.storage.kek.reset();
           if (v.empty()) return "";  // keys in plain text
           auto kek = schema::read_kek_file(v);
           if (!kek) return kek.error();
           c.storage.kek = *kek;
           return "";
         })}}},
      {"gateway_bridge", {{"bind", address_key(&Config::gateway_bridge, &Config::GatewayBridge::bind)}}},
      {"basic_station",
       {{"bind", address_key(&Config::basic_station, &Config::BasicStation::bind, true)},
        {"tls_cert", readable_file_key(&Config::basic_station, &Config::BasicStation::tls_cert)},
        {"tls_key", readable_file_key(&Config::basic_station, &Config::BasicStation::tls_key)},
        {"public_host", key<std::string>([](const std::string& v, Config& c) -> std::string {
           if (v.empty()) {
             c.basic_station.public_host.clear();
             return "";
           }
           auto authority = common::parse_authority(v);
           if (!authority || authority->port || authority->bracketed)
             return "must be a host name without a port (the port is the one of basic_station.bind)";
           c.basic_station.public_host = v;
           return "";
         })},
        {"ping_interval_s", int_key(&Config::basic_station, &Config::BasicStation::ping_interval_s, 1, 3600)}}},
      {"network",
       {{"region", key<std::string>([](const std::string& v, Config& c) -> std::string {
           if (v != "RU864" && v != "EU868") return "must be RU864 or EU868";
           c.network.region = v;
           return "";
         })},
        {"net_id", key<std::string>([](const std::string& v, Config& c) -> std::string {
           auto bytes = lorawan::parse_hex(v);
           if (!bytes || bytes->size() != 3) return "must be 6 hex digits";
           c.network.net_id = static_cast<lorawan::NetId>((*bytes)[0] << 16 | (*bytes)[1] << 8 | (*bytes)[2]);
           return "";
         })},
        {"dedup_window_ms", int_key(&Config::network, &Config::Network::dedup_window_ms, 10, 2000)},
        {"rx1_delay_s", int_key(&Config::network, &Config::Network::rx1_delay_s, 1, 15)},
        {"rx1_dr_offset", int_key(&Config::network, &Config::Network::rx1_dr_offset, 0, 5)},
        {"installation_margin_db", key<double>([](const double& v, Config& c) -> std::string {
           if (v < 0 || v > 30) return "must be between 0 and 30";
           c.network.installation_margin_db = v;
           return "";
         })},
        {"dev_status_interval_h", int_key(&Config::network, &Config::Network::dev_status_interval_h, 0, 8760)},
        {"dev_status_max_per_s", int_key(&Config::network, &Config::Network::dev_status_max_per_s, 1, 1000)},
        {"extra_channels_hz",
         key<std::vector<std::int64_t>>([](const std::vector<std::int64_t>& v, Config& c) -> std::string {
           if (v.size() > lorawan::kCfListFrequencies) return "must list at most 5 frequencies (one CFList)";
           std::vector<std::uint32_t> hz;
           for (auto f : v) {
             if (f <= 0 || f > 1'000'000'000 || f % 100 != 0) return "must be frequencies in Hz, multiples of 100";
             if (std::find(hz.begin(), hz.end(), static_cast<std::uint32_t>(f)) != hz.end())
               return "lists a frequency twice";
             hz.push_back(static_cast<std::uint32_t>(f));
           }
           c.network.extra_channels_hz = hz;
           return "";
         })},
        {"duty_cycle_pct", KeySpec{[](const toml::node& node, Config& c) -> std::string {
           const auto* table = node.as_table();
           if (!table) return "must be a table of sub-band names to percentages, e.g. { \"868.7-869.2\" = 10 }";
           std::vector<std::pair<std::string, double>> limits;
           for (const auto& [name, value] : *table) {
             auto pct = node_value<double>(value);
             if (!pct || !(*pct >= 0 && *pct <= 100))
               return "\"" + std::string(name.str()) + "\" must be a percentage between 0 and 100";
             limits.emplace_back(std::string(name.str()), *pct / 100);
           }
           c.network.duty_cycle = std::move(limits);
           return "";
         }}}}},
      {"mqtt",
       {{"server", key<std::string>([](const std::string& v, Config& c) -> std::string {
           if (auto server = parse_mqtt_server(v); !server) return server.error();
           c.mqtt.server = v;
           return "";
         })},
        {"username", text_key(&Config::mqtt, &Config::Mqtt::username, true)},
        {"password", text_key(&Config::mqtt, &Config::Mqtt::password, true)},
        {"client_id", key<std::string>([](const std::string& v, Config& c) -> std::string {
           if (v.empty()) return "must not be empty";
           c.mqtt.client_id = v;
           c.mqtt.client_id_given = true;
           return "";
         })},
        {"ca_file", text_key(&Config::mqtt, &Config::Mqtt::ca_file, true)},
        {"keepalive_s", int_key(&Config::mqtt, &Config::Mqtt::keepalive_s, 5, 3600)},
        {"event_topic", key<std::string>([](const std::string& v, Config& c) -> std::string {
           if (auto ok = appserver::TopicLayout::check_event_template(v); !ok) return ok.error();
           c.mqtt.event_topic = v;
           return "";
         })},
        {"command_topic", key<std::string>([](const std::string& v, Config& c) -> std::string {
           if (auto ok = appserver::TopicLayout::check_command_template(v); !ok) return ok.error();
           c.mqtt.command_topic = v;
           return "";
         })}}},
      {"cluster", {{"instance", key<std::string>([](const std::string& v, Config& c) -> std::string {
                      if (auto why = schema::instance_name_refusal(v); !why.empty()) return why;
                      c.cluster.instance = v;
                      return "";
                    })}}},
      {"tenant",
       {{"id", key<std::string>([](const std::string& v, Config& c) -> std::string {
           auto id = common::canonical_uuid(v);
           if (!id) return "must be a UUID (8-4-4-4-12 hex digits)";
           c.tenant.id = *id;
           return "";
         })},
        {"name", key<std::string>([](const std::string& v, Config& c) -> std::string {
           if (v.empty() || v.size() > 100) return "must be 1 to 100 bytes";
           if (!common::is_valid_utf8(v)) return "must be UTF-8 text";
           for (unsigned char ch : v) {
             if (ch < 0x20 || ch == 0x7f) return "must not contain control characters";
           }
           c.tenant.name = v;
           return "";
         })}}},
      {"http",
       {{"bind", address_key(&Config::http, &Config::Http::bind)},
        {"token_file", key<std::string>([](const std::string& v, Config& c) -> std::string {
           // Read now, so that a missing or empty file stops uchetd at start, not at the first scrape.
           c.http.token_file = v;
           c.http.token.clear();
           if (v.empty()) return "";  // no authentication
           auto token = common::read_token_file(v);
           if (!token) return token.error();
           c.http.token_file = v;
           c.http.token = *token;
           return "";
         })},
        {"ready_broker_grace_s", int_key(&Config::http, &Config::Http::ready_broker_grace_s, 0, 86400)}}},
      {"log",
       {{"level", key<std::string>([](const std::string& v, Config& c) -> std::string {
           static const char* levels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
           for (auto* l : levels) {
             if (v == l) {
               c.log.level = v;
               return "";
             }
           }
           return "must be one of trace, debug, info, warn, error, critical, off";
         })},
        {"format", key<std::string>([](const std::string& v, Config& c) -> std::string {
           if (v != "text" && v != "json") return "must be text or json";
           c.log.format = v;
           return "";
         })}}},
      {"time",
       {{"max_clock_offset_s", int_key(&Config::time, &Config::Time::max_clock_offset_s, 1, 86400)},
        {"time_zone", key<std::string>([](const std::string& v, Config& c) -> std::string {
           // Loaded here, not only at start, so that --check-config names a zone that is no zone.
           if (auto zone = appserver::TimeZone::load(v); !zone) return zone.error();
           c.time.time_zone = v;
           return "";
         })}}},
      {"balance",
       {{"alarm_threshold_pct", real_key(&Config::balance, &Config::Balance::alarm_threshold_pct, 0, 1000)},
        {"alarm_days", int_key(&Config::balance, &Config::Balance::alarm_days, 1, 60)},
        {"publish_delay_h", int_key(&Config::balance, &Config::Balance::publish_delay_h, 0, 72)}}},
      {"vee",
       {{"linear_max_gap_h", int_key(&Config::vee, &Config::Vee::linear_max_gap_h, 0, 720)},
        {"spike_factor", real_key(&Config::vee, &Config::Vee::spike_factor, 1, 1000)},
        {"frozen_days", int_key(&Config::vee, &Config::Vee::frozen_days, 2, 60)}}},
  };
  return table;
}

// [[integration.http]]: one webhook endpoint per entry. Read here rather than through the key
// table because it is an array of tables; every error names the entry ("integration.http[2].url").
std::string parse_http_integrations(const toml::node& node, Config& config) {
  const auto* integration = node.as_table();
  if (!integration) return "integration must be a table";
  for (const auto& [name, value] : *integration) {
    if (name.str() != "http") return "unknown key integration." + std::string(name.str());
  }
  const auto* http = integration->get("http");
  if (!http) return "";
  const auto* entries = http->as_array();
  if (!entries || !entries->is_array_of_tables()) return "integration.http must be written [[integration.http]]";
  std::size_t index = 0;
  for (const auto& entry_node : *entries) {
    const auto& entry = *entry_node.as_table();
    const std::string where = fmt::format("integration.http[{}]", index++);
    appserver::HttpEndpointSettings endpoint;
    bool has_url = false;
    for (const auto& [key_name, value] : entry) {
      const std::string name = where + "." + std::string(key_name.str());
      const std::string_view key = key_name.str();
      if (key == "url") {
        const auto text = value.value_exact<std::string>();
        if (!text) return name + " must be a string";
        if (auto url = appserver::parse_http_url(*text); !url) return name + " " + url.error();
        endpoint.url = *text;
        has_url = true;
      } else if (key == "headers") {
        const auto* headers = value.as_table();
        if (!headers) return name + " must be a table of strings (headers = { Authorization = \"Bearer ...\" })";
        for (const auto& [header, header_value] : *headers) {
          const auto text = header_value.value_exact<std::string>();
          const std::string header_name(header.str());
          if (!text) return name + "." + header_name + " must be a string";
          if (auto ok = appserver::check_http_header(header_name, *text); !ok)
            return name + "." + header_name + " " + ok.error();
          endpoint.headers.emplace_back(header_name, *text);
        }
      } else if (key == "events") {
        const auto* events = value.as_array();
        if (!events) return name + " must be an array of event kinds";
        for (const auto& element : *events) {
          const auto kind = element.value_exact<std::string>();
          const auto& known = appserver::kHttpEventKinds;
          if (!kind || std::find(known.begin(), known.end(), *kind) == known.end()) {
            return name + " must list event kinds among " + fmt::format("{}", fmt::join(known, ", "));
          }
          endpoint.events.push_back(*kind);
        }
        if (endpoint.events.empty()) return name + " must list at least one event kind (leave it out for all)";
      } else if (key == "ca_file") {
        const auto text = value.value_exact<std::string>();
        if (!text || text->empty()) return name + " must be a file name";
        if (!std::ifstream(*text)) return name + " cannot read the file '" + *text + "'";
        endpoint.ca_file = *text;
      } else if (key == "timeout_s") {
        const auto seconds = value.value_exact<std::int64_t>();
        if (!seconds || *seconds < 1 || *seconds > 300) return name + " must be an integer between 1 and 300";
        endpoint.timeout = std::chrono::seconds(*seconds);
      } else if (key == "max_backlog") {
        const auto rows = value.value_exact<std::int64_t>();
        if (!rows || *rows < 100 || *rows > 100'000'000) return name + " must be an integer between 100 and 100000000";
        endpoint.max_backlog = *rows;
      } else {
        return "unknown key " + name;
      }
    }
    if (!has_url) return where + ".url is missing";
    if (!endpoint.ca_file.empty() && !endpoint.url.starts_with("https://")) {
      return where + ".ca_file is only for https:// URLs";
    }
    for (const auto& other : config.http_integrations) {
      if (other.url == endpoint.url) return where + ".url repeats another entry's URL";
    }
    config.http_integrations.push_back(std::move(endpoint));
  }
  return "";
}

}  // namespace

Result<HostPort> parse_host_port(std::string_view text, std::string_view what) {
  auto authority = common::parse_authority(text);
  if (!authority || !authority->port) {
    return std::unexpected(fmt::format("{} '{}' {} (write host:port, [IPv6]:port)", what, text,
                                       authority ? "has no port" : authority.error()));
  }
  return HostPort{authority->host, *authority->port};
}

Result<MqttServer> parse_mqtt_server(std::string_view text) {
  const auto refuse = [&](std::string_view why) {
    return std::unexpected(fmt::format("'{}' {} (write host:port, tcp://host:port or ssl://host:port)", text, why));
  };
  MqttServer server;
  std::string_view rest = text;
  std::optional<std::uint16_t> default_port;
  if (const auto scheme_end = text.find("://"); scheme_end != std::string_view::npos) {
    const std::string_view scheme = text.substr(0, scheme_end);
    if (scheme == "tcp") {
      default_port = 1883;
    } else if (scheme == "ssl") {
      default_port = 8883;
      server.tls = true;
    } else {
      return refuse(fmt::format("has the scheme '{}', which uchet does not speak", scheme));
    }
    rest = text.substr(scheme_end + 3);
  }
  if (rest.find('/') != std::string_view::npos) return refuse("has a path; give only the host and port");
  auto authority = common::parse_authority(rest);
  if (!authority) return refuse(authority.error());
  if (!authority->port && !default_port) return refuse("has no port");
  server.host = authority->host;
  server.port = authority->port.value_or(default_port.value_or(0));
  if (server.port == 0) return refuse("has port 0");
  return server;
}

std::string default_instance_name() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return "uchetd";
  std::string name(host);
  if (name.size() > 32) name.resize(32);
  for (auto& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.' && ch != '_' && ch != '-') ch = '-';
  }
  return name;
}

std::string mqtt_client_id(const Config& config) {
  if (config.mqtt.client_id_given || config.storage.backend != "postgresql") return config.mqtt.client_id;
  return config.mqtt.client_id + "-" + config.cluster.instance;
}

std::vector<std::uint32_t> default_extra_channels(std::string_view region) {
  if (region == "EU868") return {867'100'000, 867'300'000, 867'500'000, 867'700'000, 867'900'000};
  return {864'100'000, 864'300'000, 864'500'000, 864'700'000, 864'900'000};  // RU864
}

std::vector<std::uint32_t> extra_channels(const Config& config) {
  return config.network.extra_channels_hz.value_or(default_extra_channels(config.network.region));
}

namespace {

// [storage] keys of one backend set with the other; empty when they are consistent.
std::string storage_refusal(const Config::Storage& s) {
  if (s.backend == "postgresql") {
    if (s.dsn.empty()) return "storage.dsn must be set when storage.backend is \"postgresql\"";
    if (s.path_given)
      return "storage.path is the SQLite file: with storage.backend = \"postgresql\" the database is storage.dsn";
    return "";
  }
  if (!s.dsn.empty())
    return "storage.dsn is for storage.backend = \"postgresql\" (the backend is \"" + s.backend + "\")";
  return "";
}

// [basic_station] keys that only make sense together; empty when they are consistent.
std::string basic_station_refusal(const Config::BasicStation& b) {
  if (b.tls_cert.empty() != b.tls_key.empty())
    return "basic_station.tls_cert and basic_station.tls_key must be given both or neither";
  if (b.bind.empty()) return "";
  if (b.public_host.empty())
    return "basic_station.public_host must be set when basic_station.bind is (stations are sent to "
           "wss://<public_host>:<port>/traffic/<EUI>)";
  boost::system::error_code ec;
  boost::asio::ip::make_address(b.public_host, ec);
  if (!ec && !b.tls_cert.empty())
    return "basic_station.public_host must be a DNS name, not an IP address: a Basics Station's TLS "
           "library does not match IP addresses in certificates";
  return "";
}

}  // namespace

Result<Config> parse_config(std::string_view toml_text, std::string_view source) {
  // toml++ 3.3.0 has undefined behaviour on some bytes a valid configuration never holds there.
  if (auto refusal = toml_text_refusal(toml_text)) return std::unexpected(std::string(source) + ": " + *refusal);
  toml::table root;
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& err) {
    std::ostringstream msg;
    msg << source << ":" << err.source().begin.line << ":" << err.source().begin.column << ": " << err.description();
    return std::unexpected(msg.str());
  }
  Config config;
  const auto& table = key_table();
  for (const auto& [section_name, section_node] : root) {
    std::string section(section_name.str());
    if (section == "integration") {
      if (auto why = parse_http_integrations(section_node, config); !why.empty()) {
        return std::unexpected(std::string(source) + ": " + why);
      }
      continue;
    }
    auto section_spec = table.find(section);
    if (section_spec == table.end())
      return std::unexpected(std::string(source) + ": unknown section [" + section + "]");
    const auto* section_table = section_node.as_table();
    if (!section_table) return std::unexpected(std::string(source) + ": '" + section + "' must be a table");
    for (const auto& [key_name, value] : *section_table) {
      std::string name = section + "." + std::string(key_name.str());
      auto spec = section_spec->second.find(std::string(key_name.str()));
      if (spec == section_spec->second.end()) return std::unexpected(std::string(source) + ": unknown key " + name);
      if (auto why = spec->second.apply(value, config); !why.empty()) {
        return std::unexpected(std::string(source) + ": " + name + " " + why);
      }
    }
  }
  if (auto why = storage_refusal(config.storage); !why.empty())
    return std::unexpected(std::string(source) + ": " + why);
  // No key that does nothing: on SQLite there is one instance, named by default.
  if (config.cluster.instance.empty()) {
    config.cluster.instance = default_instance_name();
  } else if (config.storage.backend != "postgresql" && config.cluster.instance != default_instance_name()) {
    return std::unexpected(std::string(source) +
                           ": cluster.instance is for several uchetd on one PostgreSQL database (storage.backend = "
                           "\"postgresql\"); one uchetd holds an SQLite database and is its only instance");
  }
  if (auto why = basic_station_refusal(config.basic_station); !why.empty())
    return std::unexpected(std::string(source) + ": " + why);
  // Checks across keys, once the region is known.
  if (auto region = lorawan::region_by_name(config.network.region); region && !config.network.duty_cycle.empty()) {
    if (auto bands = lorawan::sub_bands_with_limits(*region, config.network.duty_cycle); !bands)
      return std::unexpected(std::string(source) + ": network.duty_cycle_pct: " + bands.error());
  }
  if (config.network.extra_channels_hz) {
    auto region = lorawan::region_by_name(config.network.region);
    for (auto hz : *config.network.extra_channels_hz) {
      if (region && !region->frequency_in_band(hz))
        return std::unexpected(std::string(source) + ": network.extra_channels_hz " + std::to_string(hz) +
                               " is outside the " + config.network.region + " band");
      // A device answered in RX1 on its uplink channel: a channel in no regulatory sub-band
      // (RU864 865-866 MHz, say) could never carry a downlink, and its uplinks break the rules too.
      if (region && !region->sub_band(hz)) {
        std::string bands;
        for (const auto& band : region->sub_bands()) bands += (bands.empty() ? "" : ", ") + std::string(band.name);
        return std::unexpected(std::string(source) + ": network.extra_channels_hz " + std::to_string(hz) +
                               " lies in no sub-band of " + config.network.region + " (" + bands + " MHz)");
      }
      if (region) {
        for (const auto& ch : region->default_channels())
          if (ch.frequency_hz == hz)
            return std::unexpected(std::string(source) + ": network.extra_channels_hz " + std::to_string(hz) +
                                   " is a default channel of " + config.network.region);
      }
    }
  }
  return config;
}

Result<Config> load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected("cannot read configuration file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path);
}

}  // namespace uchet
