#pragma once
// Value types shared by the whole LoRaWAN core. EUIs and DevAddr are held as numbers in the
// order people print them (big-endian text); the frame codecs convert to little-endian on air.
#include <array>
#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <vector>

namespace uchet::lorawan {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

// Every parser in the core reports failure as a human-readable reason, never by throwing.
template <class T>
using Result = std::expected<T, std::string>;

// An AES-128 key (AppKey, NwkKey, NwkSKey, AppSKey, ...).
using Key = std::array<std::uint8_t, 16>;

using Eui64 = std::uint64_t;  // DevEUI, JoinEUI, gateway EUI
using DevAddr = std::uint32_t;
using NetId = std::uint32_t;  // 24 bits used

}  // namespace uchet::lorawan
