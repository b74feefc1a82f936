// FormatRegistry: maps a stable format name ("json", "ubl", ...) to its reader and writer.
// Filled once at start-up (see builtin.h), then read-only and safe to share between threads.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "formats/core/result.h"
#include "formats/model/invoice.h"

namespace gw::formats {

// Routing data that some formats carry beside the business terms: file headers and routing
// attributes (Estonian e-invoice), transmission details (Finvoice). The keys are each format's,
// listed in docs/formats/<format>.md; a writer refuses unknown keys and names missing ones.
using Routing = std::map<std::string, std::string, std::less<>>;

struct WriteOptions {
  Routing routing;
  std::string encoding;   // output character encoding; empty: the format's default (UTF-8)
  bool envelope = false;  // write the format's transport frame in front (Finvoice: SOAP/ebXML)
};

// Both append to `losses` a warning finding for every business term the format cannot carry
// (reading: what the model has no place for; writing: what the format has no place for), so that
// nothing is dropped in silence.
using ReadFn = std::function<Result<model::Invoice>(std::string_view text, std::vector<Finding>& losses)>;
using WriteFn = std::function<Result<std::string>(const model::Invoice& invoice, const WriteOptions& options,
                                                  std::vector<Finding>& losses)>;

struct FormatInfo {
  std::string name;          // stable id, e.g. "ubl"
  std::string description;   // one line for `eigw formats` and errors
  std::string media_type;    // e.g. "application/xml"
  std::string file_extension;  // e.g. ".xml"
  ReadFn read;               // empty when the format cannot be read
  WriteFn write;             // empty when the format cannot be written
  // What of WriteOptions the writer uses; the others must be left at their defaults.
  bool takes_routing = false;
  std::vector<std::string> encodings = {};  // besides UTF-8
  bool has_envelope = false;
};

class FormatRegistry {
 public:
  // Adds a format. kAlreadyExists if the name is taken, kInvalidArgument if it has neither a
  // reader nor a writer.
  Status Register(FormatInfo info);
  // The format named `name`, or kNotFound listing the known names.
  Result<const FormatInfo*> Find(std::string_view name) const;
  std::vector<std::string> Names() const;

 private:
  std::map<std::string, FormatInfo, std::less<>> formats_;
};

}  // namespace gw::formats
