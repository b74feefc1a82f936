// The throw-away test PKI (certs/pki/make_test_pki.sh), made once per test process into a
// temporary folder and removed at exit; and the shared UBL test documents.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace gw::certs::testing {

inline const std::string& PkiDir() {
  static const std::string dir = [] {
    namespace fs = std::filesystem;
    fs::path d = fs::temp_directory_path() / ("eigw-test-pki-" + std::to_string(::getpid()));
    fs::remove_all(d);
    std::string cmd = std::string(EIGW_SOURCE_DIR) + "/certs/pki/make_test_pki.sh " + d.string() + " >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) std::abort();  // every test needs it
    static const std::string to_remove = d.string();
    std::atexit([] { std::filesystem::remove_all(to_remove); });
    return d.string();
  }();
  return dir;
}

inline std::string Pki(const char* name) { return PkiDir() + "/" + name; }

inline std::string ReadText(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), {});
}

// A Peppol BIS 3 UBL invoice (about 6 KB) and the 21 KB EN16931 example 1.
inline std::string UblInvoicePath() {
  return std::string(EIGW_SHARED_DIR) + "/conformance/examples/peppol/examples/base-example.xml";
}
inline std::string LargeUblInvoicePath() {
  return std::string(EIGW_SHARED_DIR) + "/conformance/examples/en16931/ubl/ubl-tc434-example1.xml";
}

// `text` with the first occurrence of `from` replaced by `to` ("" when `from` is absent, so a
// broken fixture fails loudly).
inline std::string ReplaceFirst(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  if (at == std::string::npos) return "";
  text.replace(at, from.size(), to);
  return text;
}

}  // namespace gw::certs::testing
