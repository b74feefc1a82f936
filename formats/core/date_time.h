// Instants as RFC 3339 / xs:dateTime text with a time zone ("2026-11-27T18:01:02.345Z",
// "2026-11-27T20:01:02+02:00"), to and from milliseconds since the Unix epoch (UTC). Used by the
// API (timestamps) and XAdES (SigningTime). No clock: callers give the instant.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gw {

// Parses a date-time with seconds, optional fraction (digits beyond milliseconds are dropped) and
// a mandatory zone ('Z' or ±hh:mm). False for anything else, including a missing zone (the
// instant would be unknown).
bool ParseDateTime(std::string_view text, int64_t& epoch_ms);

// 1764266462345 -> "2025-11-27T18:01:02.345Z".
std::string FormatDateTime(int64_t epoch_ms);

}  // namespace gw
