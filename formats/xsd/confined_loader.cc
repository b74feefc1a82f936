#include "formats/xsd/confined_loader.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/uri.h>
#include <libxml/xmlmemory.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <memory>
#include <string_view>

#include "formats/xml/xml_document.h"

namespace gw::formats::xsd {

namespace fs = std::filesystem;

// Why a process-wide hook: libxml2 2.9.14's schema compiler (xmlSchemaParse) creates its own
// parser contexts for every xs:include, xs:import and xs:redefine and gives the caller no way to
// set their options or SAX callbacks; every one of those reads goes through
// xmlLoadExternalEntity, i.e. through the loader set by xmlSetExternalEntityLoader. That loader
// is one global, so it is installed only for the duration of a scope, scopes are serialized, and
// a thread-local pointer tells the loader whether the calling thread is the one loading schemas.
namespace {

std::mutex& ScopeMutex() {
  static std::mutex mutex;
  return mutex;
}

// The loader installed before the current scope; used for loads on other threads.
std::atomic<xmlExternalEntityLoader> g_previous{nullptr};
thread_local ConfinedLoadScope* t_scope = nullptr;

xmlParserInputPtr ConfinedLoader(const char* url, const char* id, xmlParserCtxtPtr ctxt) {
  ConfinedLoadScope* scope = t_scope;
  if (scope == nullptr) {
    xmlExternalEntityLoader previous = g_previous.load();
    return previous != nullptr ? previous(url, id, ctxt) : nullptr;
  }
  fs::path file = scope->Resolve(url);
  if (file.empty()) return nullptr;
  // Opened directly rather than through libxml2's default loader: that one consults XML
  // catalogs (XML_CATALOG_FILES, /etc/xml/catalog), which can map a name to a file elsewhere.
  return xmlNewInputFromFile(ctxt, file.c_str());
}

// RFC 3986 section 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then ':'.
bool HasScheme(std::string_view url) {
  if (url.empty() || std::isalpha(static_cast<unsigned char>(url[0])) == 0) return false;
  for (size_t i = 1; i < url.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(url[i]);
    if (c == ':') return true;
    if (std::isalnum(c) == 0 && c != '+' && c != '-' && c != '.') return false;
  }
  return false;
}

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

bool IsUnder(const fs::path& file, const fs::path& folder) {
  auto [f, p] = std::mismatch(folder.begin(), folder.end(), file.begin(), file.end());
  return f == folder.end() && p != file.end();
}

struct UriFree {
  void operator()(xmlURI* uri) const { xmlFreeURI(uri); }
};
struct FreeXmlString {
  void operator()(char* text) const { xmlFree(text); }
};

}  // namespace

ConfinedLoadScope::ConfinedLoadScope(fs::path folder)
    : lock_(ScopeMutex()), folder_(std::move(folder)) {
  xml::InitializeXmlLibrary();
  g_previous.store(xmlGetExternalEntityLoader());
  xmlSetExternalEntityLoader(&ConfinedLoader);
  t_scope = this;
}

ConfinedLoadScope::~ConfinedLoadScope() {
  t_scope = nullptr;
  xmlSetExternalEntityLoader(g_previous.load());
}

fs::path ConfinedLoadScope::Resolve(const char* url) {
  const std::string_view text = url != nullptr ? url : "";
  auto refuse = [&](const std::string& why) {
    refused_.push_back("'" + std::string(text) + "': " + why);
    return fs::path();
  };
  if (text.empty()) return refuse("an empty location");
  std::string path;
  if (HasScheme(text)) {
    if (!StartsWithNoCase(text, "file:")) {
      return refuse("not a local file; only files under " + folder_.string() + " are read");
    }
    std::unique_ptr<xmlURI, UriFree> uri(xmlParseURI(url));
    if (uri == nullptr || uri->path == nullptr) return refuse("not a valid file URL");
    if (uri->server != nullptr && std::string_view(uri->server) != "" &&
        std::string_view(uri->server) != "localhost") {
      return refuse("a file on another host");
    }
    path = uri->path;  // xmlParseURI has already unescaped %XX
  } else {
    path = std::string(text);
  }
  fs::path requested(path);
  if (!requested.is_absolute()) return refuse("a relative path");
  std::error_code ec;
  if (!fs::exists(requested, ec) && path.find('%') != std::string::npos) {
    // libxml2 resolves xs:include/xs:import locations with xmlBuildURI, which %-escapes the
    // result ("schemas with spaces" arrives as "schemas%20with%20spaces") but has no scheme.
    std::unique_ptr<char, FreeXmlString> unescaped(xmlURIUnescapeString(path.c_str(), 0, nullptr));
    if (unescaped != nullptr) requested = fs::path(unescaped.get());
  }
  const fs::path canonical = fs::canonical(requested, ec);
  if (ec) return refuse("no such file");
  if (!fs::is_regular_file(canonical, ec)) return refuse("not a regular file");
  // Compared after resolving symbolic links, so a link that points out of the folder is refused.
  if (!IsUnder(canonical, folder_)) return refuse("outside the schema folder " + folder_.string());
  return canonical;
}

}  // namespace gw::formats::xsd
