// Password hashes for the web pages' users: scrypt (RFC 7914, OpenSSL's EVP_PBE_scrypt), a
// memory-hard function: each guess costs 32 MiB and about 0.1 s, which makes guessing on a
// stolen database slow on GPUs too. Stored as "scrypt$ln=15,r=8,p=1$<salt>$<hash>" (base64, a
// 16-byte random salt, a 32-byte hash), so the cost can be raised later and old hashes still check.
#pragma once

#include <string>
#include <string_view>

#include "formats/core/result.h"

namespace gw::gateway::ui {

struct ScryptCost {
  int log2_n = 15;  // N = 32768
  int r = 8;
  int p = 1;
};

// The hash to store for `password`.
Result<std::string> HashPassword(std::string_view password, ScryptCost cost = {});
// Whether `password` matches `stored` (compared in constant time). False for a malformed or
// unknown hash, and for costs outside sane bounds (a tampered row cannot make it run for hours).
bool CheckPassword(std::string_view password, std::string_view stored);
// Why a new password is refused ("" when it is acceptable): at least 12 characters, at most 1024.
std::string PasswordProblem(std::string_view password);

}  // namespace gw::gateway::ui
