// ConfinedLoadScope: while alive, libxml2 reads external resources on this thread only from
// regular files under one folder (no network, no file elsewhere). Thread-safe: scopes are
// serialized process-wide; other threads' loads meanwhile go to the previously installed loader.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

namespace gw::formats::xsd {

class ConfinedLoadScope {
 public:
  // `folder` must be canonical (absolute, symbolic links resolved). Blocks while another scope is
  // alive on any thread. Installs the confining loader with xmlSetExternalEntityLoader; the
  // destructor puts the previous loader back.
  explicit ConfinedLoadScope(std::filesystem::path folder);
  ~ConfinedLoadScope();
  ConfinedLoadScope(const ConfinedLoadScope&) = delete;
  ConfinedLoadScope& operator=(const ConfinedLoadScope&) = delete;

  // One line per refused URL: what was asked for and why it was refused.
  const std::vector<std::string>& refused() const { return refused_; }

  // Decides whether `url` may be read: returns the canonical path of a regular file under the
  // folder, or an empty path after recording why not. Exposed for tests.
  std::filesystem::path Resolve(const char* url);

 private:
  std::unique_lock<std::mutex> lock_;
  std::filesystem::path folder_;
  std::vector<std::string> refused_;
};

}  // namespace gw::formats::xsd
