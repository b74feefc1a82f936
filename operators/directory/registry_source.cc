#include "operators/directory/registry_source.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "certs/keys/certificate.h"
#include "operators/http/http_client.h"

namespace gw::operators {

Result<std::unique_ptr<OperatorClient>> RegistryDumpClient::Make(const OperatorSettings& settings,
                                                                 const ClientContext&) {
  if (settings.url.empty())
    return Error::InvalidArgument("operator." + settings.id + ".url: a registry-dump source needs the dump's path or URL");
  return std::unique_ptr<OperatorClient>(new RegistryDumpClient(settings));
}

Result<Receipt> RegistryDumpClient::Deliver(const Delivery&) {
  return Error::FailedPrecondition("operator " + settings().id +
                                   " is a recipient registry (protocol registry-dump): it lists recipients, nothing "
                                   "is delivered to it; route through the operator that serves the recipient");
}

namespace {

bool IsUrl(const std::string& url) { return url.starts_with("http://") || url.starts_with("https://"); }

Result<FetchedDump> HashLocal(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::Unavailable("registry dump " + path + " cannot be read: " + std::strerror(errno));
  FetchedDump out;
  out.path = path;
  certs::Sha256 hash;
  std::string chunk(1 << 16, '\0');
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    const auto n = in.gcount();
    if (n <= 0) break;
    hash.Update(std::string_view(chunk.data(), static_cast<size_t>(n)));
    out.bytes += n;
  }
  if (in.bad()) return Error::Unavailable("registry dump " + path + ": reading failed");
  out.sha256 = hash.HexDigest();
  return out;
}

}  // namespace

Result<FetchedDump> FetchRegistryDump(const OperatorSettings& settings, const std::string& spool,
                                      const std::string& etag, const std::string& last_modified) {
  if (!IsUrl(settings.url)) return HashLocal(settings.url);
  HttpOptions options = HttpOptionsFor(settings);
  HttpClient http(options);
  std::vector<std::pair<std::string, std::string>> headers;
  if (std::string token = settings.Get("token"); !token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  if (!etag.empty()) headers.emplace_back("If-None-Match", etag);
  if (!last_modified.empty()) headers.emplace_back("If-Modified-Since", last_modified);

  // Downloaded beside the spool file, then renamed over it: a failed download leaves the last one.
  const std::string partial = spool + ".part";
  std::FILE* file = std::fopen(partial.c_str(), "wb");
  if (!file) return Error::Unavailable("cannot write " + partial + ": " + std::strerror(errno));
  certs::Sha256 hash;
  FetchedDump out;
  out.path = spool;
  bool write_failed = false;
  auto response = http.Stream("GET", settings.url, headers, {}, [&](std::string_view chunk) {
    if (std::fwrite(chunk.data(), 1, chunk.size(), file) != chunk.size()) {
      write_failed = true;
      return false;
    }
    hash.Update(chunk);
    out.bytes += static_cast<int64_t>(chunk.size());
    return true;
  });
  const bool flushed = std::fflush(file) == 0 && fsync(fileno(file)) == 0;
  std::fclose(file);
  auto discard = [&] { std::remove(partial.c_str()); };
  if (write_failed || !flushed) {
    discard();
    return Error::Unavailable("cannot write the registry dump to " + partial + " (disk full?)");
  }
  if (!response) {
    discard();
    return response.error();
  }
  const long status = response->status;
  if (status == 304) {
    discard();
    out.not_modified = true;
    out.etag = etag;
    out.last_modified = last_modified;
    return out;
  }
  if (status != 200) {
    discard();
    const std::string what = "GET " + settings.url + " answered " + std::to_string(status);
    if (status >= 500 || status == 408 || status == 429) return Error::Unavailable(what);
    return Error::FailedPrecondition(what + "; check the registry's url and token");
  }
  std::error_code ec;
  std::filesystem::rename(partial, spool, ec);
  if (ec) {
    discard();
    return Error::Unavailable("cannot keep the registry dump as " + spool + ": " + ec.message());
  }
  out.sha256 = hash.HexDigest();
  out.etag = response->Header("etag");
  out.last_modified = response->Header("last-modified");
  return out;
}

}  // namespace gw::operators
