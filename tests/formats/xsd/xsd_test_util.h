// Helpers shared by the formats/xsd tests: the schema set loaded once from ../shared, files,
// xmllint as the independent oracle, and witnesses that nothing was fetched or read.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "formats/xsd/schema_set.h"

namespace gw::formats::xsd::testing {

namespace fs = std::filesystem;

inline fs::path SharedDir() { return fs::path(EIGW_SHARED_DIR); }
inline fs::path SchemaFolder() { return SharedDir() / "conformance" / "xsd"; }

// The set of ../shared/conformance/xsd, loaded once for all tests; null (and a failure) if it
// does not load.
inline const SchemaSet* SharedSchemas() {
  static const std::shared_ptr<const SchemaSet> set = [] {
    auto loaded = SchemaSet::Load(SchemaFolder().string());
    if (!loaded.has_value()) {
      ADD_FAILURE() << "cannot load " << SchemaFolder() << ": " << loaded.error().ToString();
      return std::shared_ptr<const SchemaSet>();
    }
    return *loaded;
  }();
  return set.get();
}

inline std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline void WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// A fresh temporary folder, removed with its contents at the end of the scope.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "eigw-xsd-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

inline std::string Quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs `command` through the shell; returns its exit status (-1 if it did not run) and output.
inline int RunCommand(const std::string& command, std::string& output) {
  output.clear();
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[65536];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
  const int status = ::pclose(pipe);
  if (status == -1 || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

inline bool HaveXmllint() { return std::system("command -v xmllint >/dev/null 2>&1") == 0; }

// One schema error as xmllint reports it.
struct OracleError {
  unsigned line = 0;
  std::string message;  // libxml2's message, after "Schemas validity error : "
};

// Runs `xmllint --noout --nonet --schema xsd` once over `files` (tree validation, an independent
// path from SchemaSet's streaming one) and returns each file's errors in order. A file xmllint
// could not parse gets one error with line 0 and the parser's message.
inline std::map<fs::path, std::vector<OracleError>> RunXmllint(const fs::path& xsd,
                                                               const std::vector<fs::path>& files) {
  std::map<fs::path, std::vector<OracleError>> result;
  if (files.empty()) return result;
  std::string command = "xmllint --noout --nonet --schema " + Quoted(xsd.string());
  for (const fs::path& f : files) command += " " + Quoted(f.string());
  std::string output;
  RunCommand(command + " 2>&1", output);
  // xmllint prints a file's errors, then "<file> validates" or "<file> fails to validate".
  size_t current = 0;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line) && current < files.size()) {
    const std::string name = files[current].string();
    if (line == name + " validates" || line == name + " fails to validate") {
      result[files[current]];  // present even when empty
      ++current;
      continue;
    }
    if (line.rfind(name + ":", 0) != 0) continue;  // a parser error's context lines
    OracleError error;
    error.line = static_cast<unsigned>(std::strtoul(line.c_str() + name.size() + 1, nullptr, 10));
    const std::string marker = "Schemas validity error : ";
    const size_t at = line.find(marker);
    if (at != std::string::npos) {
      error.message = line.substr(at + marker.size());
    } else if (line.find("Schemas validity warning") != std::string::npos) {
      continue;
    } else {
      error.line = 0;  // a parser error
      error.message = line;
    }
    result[files[current]].push_back(error);
  }
  return result;
}

// The root element's namespace and local name, read with libxml2 (no network, no DTD).
inline std::pair<std::string, std::string> RootName(const fs::path& file) {
  std::unique_ptr<xmlDoc, void (*)(xmlDocPtr)> doc(
      xmlReadFile(file.c_str(), nullptr, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
      xmlFreeDoc);
  if (doc == nullptr) return {};
  xmlNodePtr root = xmlDocGetRootElement(doc.get());
  if (root == nullptr) return {};
  std::string ns = root->ns != nullptr ? reinterpret_cast<const char*>(root->ns->href) : "";
  return {ns, reinterpret_cast<const char*>(root->name)};
}

// A TCP listener on 127.0.0.1 (port 0): anything that tries to fetch from it shows up as a
// connection, without anything being served.
class LoopbackListener {
 public:
  LoopbackListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t size = sizeof(address);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
        ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1";
      return;
    }
    port_ = ntohs(address.sin_port);
  }
  ~LoopbackListener() {
    if (fd_ >= 0) ::close(fd_);
  }
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  // How many connections arrived since the last call (accepted and closed, never answered).
  int TakeConnections() {
    int count = 0;
    pollfd p{fd_, POLLIN, 0};
    while (fd_ >= 0 && ::poll(&p, 1, 0) > 0 && (p.revents & POLLIN) != 0) {
      const int connection = ::accept(fd_, nullptr, nullptr);
      if (connection < 0) break;
      ::close(connection);
      ++count;
    }
    return count;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// While alive, every external resource libxml2 is asked to load (files, http, DTDs, schemas) is
// recorded and refused: the witness that validation reads nothing.
class RecordingLoader {
 public:
  RecordingLoader() : previous_(xmlGetExternalEntityLoader()) {
    Urls().clear();
    xmlSetExternalEntityLoader(&Record);
  }
  ~RecordingLoader() { xmlSetExternalEntityLoader(previous_); }
  RecordingLoader(const RecordingLoader&) = delete;
  RecordingLoader& operator=(const RecordingLoader&) = delete;

  std::vector<std::string> urls() const {
    std::lock_guard<std::mutex> lock(Mutex());
    return Urls();
  }

 private:
  static std::mutex& Mutex() {
    static std::mutex mutex;
    return mutex;
  }
  static std::vector<std::string>& Urls() {
    static std::vector<std::string> urls;
    return urls;
  }
  static xmlParserInputPtr Record(const char* url, const char*, xmlParserCtxtPtr) {
    std::lock_guard<std::mutex> lock(Mutex());
    Urls().push_back(url != nullptr ? url : "(null)");
    return nullptr;
  }
  xmlExternalEntityLoader previous_;
};

// Line (1-based) of the first occurrence of `needle` in `text`, or 0.
inline unsigned LineOf(const std::string& text, const std::string& needle) {
  const size_t at = text.find(needle);
  if (at == std::string::npos) return 0;
  unsigned line = 1;
  for (size_t i = 0; i < at; ++i) line += text[i] == '\n' ? 1 : 0;
  return line;
}

// `text` with the first `from` replaced by `to`; a failure if `from` is not there.
inline std::string Replaced(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "not in the sample: " << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

}  // namespace gw::formats::xsd::testing
