#include "gateway/ui/password.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <vector>

#include "certs/keys/certificate.h"

namespace gw::gateway::ui {
namespace {

constexpr size_t kSaltBytes = 16, kHashBytes = 32;

bool Scrypt(std::string_view password, std::string_view salt, const ScryptCost& c, unsigned char* out, size_t n) {
  const uint64_t N = uint64_t{1} << c.log2_n;
  // The memory scrypt needs is 128 * N * r * p bytes (plus a little); allow twice that.
  const uint64_t maxmem = 2 * 128 * N * static_cast<uint64_t>(c.r) * static_cast<uint64_t>(c.p) + (1 << 20);
  return EVP_PBE_scrypt(password.data(), password.size(), reinterpret_cast<const unsigned char*>(salt.data()),
                        salt.size(), N, static_cast<uint64_t>(c.r), static_cast<uint64_t>(c.p), maxmem, out, n) == 1;
}

bool ParseInt(std::string_view text, int& out) {
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && p == text.data() + text.size();
}

}  // namespace

Result<std::string> HashPassword(std::string_view password, ScryptCost cost) {
  unsigned char salt[kSaltBytes];
  if (RAND_bytes(salt, sizeof salt) != 1) return Error::Internal("no random bytes for a password salt");
  unsigned char hash[kHashBytes];
  const std::string_view salt_view(reinterpret_cast<const char*>(salt), sizeof salt);
  if (!Scrypt(password, salt_view, cost, hash, sizeof hash)) return Error::Internal("scrypt failed");
  return "scrypt$ln=" + std::to_string(cost.log2_n) + ",r=" + std::to_string(cost.r) + ",p=" +
         std::to_string(cost.p) + "$" + certs::EncodeBase64(salt_view) + "$" +
         certs::EncodeBase64(std::string_view(reinterpret_cast<const char*>(hash), sizeof hash));
}

bool CheckPassword(std::string_view password, std::string_view stored) {
  // scrypt $ ln=..,r=..,p=.. $ salt $ hash
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    const size_t end = stored.find('$', start);
    parts.push_back(stored.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  if (parts.size() != 4 || parts[0] != "scrypt") return false;
  ScryptCost cost;
  std::string_view params = parts[1];
  int seen = 0;
  while (!params.empty()) {
    const size_t comma = params.find(',');
    std::string_view kv = params.substr(0, comma);
    params = comma == std::string_view::npos ? std::string_view() : params.substr(comma + 1);
    const size_t eq = kv.find('=');
    if (eq == std::string_view::npos) return false;
    const std::string_view key = kv.substr(0, eq), value = kv.substr(eq + 1);
    int* slot = key == "ln" ? &cost.log2_n : key == "r" ? &cost.r : key == "p" ? &cost.p : nullptr;
    if (!slot || !ParseInt(value, *slot)) return false;
    ++seen;
  }
  // Bounds: at most 256 MiB and a few seconds per check, whatever the row says.
  if (seen != 3 || cost.log2_n < 10 || cost.log2_n > 20 || cost.r < 1 || cost.r > 16 || cost.p < 1 || cost.p > 4)
    return false;
  auto salt = certs::DecodeBase64(parts[2]);
  auto want = certs::DecodeBase64(parts[3]);
  if (!salt || !want || salt->size() < 8 || want->size() != kHashBytes) return false;
  unsigned char got[kHashBytes];
  if (!Scrypt(password, *salt, cost, got, sizeof got)) return false;
  return CRYPTO_memcmp(got, want->data(), kHashBytes) == 0;
}

std::string PasswordProblem(std::string_view password) {
  if (password.size() < 12) return "a password needs at least 12 characters";
  if (password.size() > 1024) return "a password is at most 1024 characters";
  return "";
}

}  // namespace gw::gateway::ui
