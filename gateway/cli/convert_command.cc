// eigw convert --to FORMAT [--from FORMAT] [--as-is] INPUT [-o OUTPUT]
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "formats/calc/calculator.h"
#include "formats/cii/cii_reader.h"
#include "formats/eeinvoice/ee_invoice.h"
#include "formats/finvoice/finvoice_reader.h"
#include "formats/registry/builtin.h"
#include "gateway/cli/command.h"

namespace gw::cli {
namespace {

constexpr const char* kConvertUsage =
    "usage: eigw convert --to FORMAT [--from FORMAT] [--as-is] [--routing KEY=VALUE ...]\n"
    "                    [--routing-file FILE] [--encoding ENC] [--envelope] INPUT... [-o OUTPUT]\n"
    "\n"
    "Reads INPUT ('-' for standard input), computes and checks its totals and VAT breakdown,\n"
    "and writes it as FORMAT to OUTPUT (default: standard output).\n"
    "  --to FORMAT     target format: ubl (Peppol BIS Billing 3.0, UBL 2.1), cii (UN/CEFACT\n"
    "                  CII D16B, EN16931), xrechnung-ubl, xrechnung-cii, facturx, facturx-basic,\n"
    "                  ee-einvoice (Estonian e-invoice 1.2.EN), finvoice (Finvoice 3.0)\n"
    "  --from FORMAT   input format: json (ERP JSON), ubl, cii, ee-einvoice or finvoice;\n"
    "                  default: by the content ('{' json, '<' by the root element), else by\n"
    "                  the extension (.xml ubl, .json json)\n"
    "  --routing K=V   routing data of the target format (repeatable): the file header and\n"
    "                  routing attributes of ee-einvoice (file_id, reg_number, ...), the\n"
    "                  transmission details of finvoice (receiver_address, ...); the keys are\n"
    "                  listed in docs/formats/<format>.md\n"
    "  --routing-file F  the same from a file of KEY=VALUE lines ('#' starts a comment)\n"
    "  --encoding ENC  output encoding where the format has a choice (finvoice: ISO-8859-15)\n"
    "  --envelope      write the format's transport frame in front (finvoice: SOAP/ebXML)\n"
    "Several INPUTs only with --to ee-einvoice: the invoices of one seller in one file (the\n"
    "header from --routing, each invoice's attributes from its own terms).\n"
    "  --as-is         do not compute: write the amounts and VAT breakdown as the input states\n"
    "                  them (for complete UBL or CII documents received from elsewhere)\n"
    "Business terms the target format cannot hold are listed as warnings on standard error.\n"
    "  -o, --output F  write the result to F instead of standard output\n"
    "Exit codes: 0 converted, 1 invalid invoice (every problem is listed), 2 usage error,\n"
    "3 file error, 4 internal error.\n";

constexpr size_t kMaxInputBytes = 64 * 1024 * 1024;

struct Options {
  std::string to;
  std::string from;  // empty: detected from the input (DetectFormat)
  std::string input;                // the first INPUT
  std::vector<std::string> inputs;  // every INPUT (several only for a batch format)
  std::string output;
  bool as_is = false;  // no calc::Complete
  formats::WriteOptions write;
};

// Adds "KEY=VALUE" to the routing; false (after printing why) when it is not of that form or the
// key is given twice.
bool AddRouting(const std::string& pair, std::string_view where, formats::Routing& routing, std::ostream& err) {
  const size_t eq = pair.find('=');
  if (eq == std::string::npos || eq == 0) {
    err << "eigw convert: " << where << ": '" << pair << "' is not KEY=VALUE\n";
    return false;
  }
  const std::string key = pair.substr(0, eq);
  if (!routing.emplace(key, pair.substr(eq + 1)).second) {
    err << "eigw convert: " << where << ": routing key '" << key << "' is given twice\n";
    return false;
  }
  return true;
}

bool ReadRoutingFile(const std::string& path, formats::Routing& routing, std::ostream& err) {
  std::ifstream file(path);
  if (!file) {
    err << "eigw convert: cannot read '" << path << "': " << std::strerror(errno) << "\n";
    return false;
  }
  std::string line;
  for (int number = 1; std::getline(file, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    if (!AddRouting(line.substr(first), path + ":" + std::to_string(number), routing, err)) return false;
  }
  return true;
}

// Parses the flags; returns false (after printing why) on a usage error.
bool ParseOptions(const std::vector<std::string>& args, Options& o, std::ostream& err,
                  bool& help) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const char* flag) -> const std::string* {
      if (i + 1 >= args.size()) {
        err << "eigw convert: " << flag << " needs a value\n";
        return nullptr;
      }
      return &args[++i];
    };
    if (a == "--help" || a == "-h") {
      help = true;
      return true;
    } else if (a == "--to") {
      const std::string* v = value("--to");
      if (v == nullptr) return false;
      o.to = *v;
    } else if (a == "--as-is") {
      o.as_is = true;
    } else if (a == "--routing") {
      const std::string* v = value("--routing");
      if (v == nullptr || !AddRouting(*v, "--routing", o.write.routing, err)) return false;
    } else if (a == "--routing-file") {
      const std::string* v = value("--routing-file");
      if (v == nullptr || !ReadRoutingFile(*v, o.write.routing, err)) return false;
    } else if (a == "--encoding") {
      const std::string* v = value("--encoding");
      if (v == nullptr) return false;
      o.write.encoding = *v;
    } else if (a == "--envelope") {
      o.write.envelope = true;
    } else if (a == "--from") {
      const std::string* v = value("--from");
      if (v == nullptr) return false;
      o.from = *v;
    } else if (a == "-o" || a == "--output") {
      const std::string* v = value("-o");
      if (v == nullptr) return false;
      o.output = *v;
    } else if (a.size() > 1 && a[0] == '-') {
      err << "eigw convert: unknown option '" << a << "'\n";
      return false;
    } else {
      if (o.input.empty()) o.input = a;
      o.inputs.push_back(a);
    }
  }
  if (o.to.empty()) {
    err << "eigw convert: missing --to FORMAT (e.g. --to ubl)\n";
    return false;
  }
  if (o.input.empty()) {
    err << "eigw convert: missing INPUT file (use '-' for standard input)\n";
    return false;
  }
  if (o.inputs.size() > 1 && o.to != "ee-einvoice") {
    err << "eigw convert: more than one input file ('" << o.inputs[0] << "' and '" << o.inputs[1]
        << "'); only --to ee-einvoice writes several invoices into one file\n";
    return false;
  }
  return true;
}

bool ReadInput(const std::string& path, std::string& data, std::ostream& err) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) {
      err << "eigw convert: cannot read '" << path << "': " << std::strerror(errno) << "\n";
      return false;
    }
    in = &file;
  }
  char buf[64 * 1024];
  while (in->read(buf, sizeof(buf)) || in->gcount() > 0) {
    data.append(buf, static_cast<size_t>(in->gcount()));
    if (data.size() > kMaxInputBytes) {
      err << "eigw convert: '" << path << "' is larger than " << kMaxInputBytes / (1024 * 1024)
          << " MiB\n";
      return false;
    }
  }
  if (in->bad()) {
    err << "eigw convert: error reading '" << path << "'\n";
    return false;
  }
  return true;
}

// The input format when --from is not given. The first non-blank character (after a UTF-8 byte
// order mark) tells XML from JSON, and for XML the root element CII from UBL. Otherwise the
// extension decides, and json when it does not tell either: the JSON reader then says what is
// wrong with the text.
std::string DetectFormat(const std::string& path, std::string_view input) {
  if (input.substr(0, 3) == "\xEF\xBB\xBF") input.remove_prefix(3);
  size_t first = input.find_first_not_of(" \t\r\n");
  char c = first == std::string_view::npos ? '\0' : input[first];
  if (c == '<') {
    if (formats::cii::LooksLikeCii(input)) return "cii";
    if (formats::ee::LooksLikeEeInvoice(input)) return "ee-einvoice";
    if (formats::finvoice::LooksLikeFinvoice(input)) return "finvoice";
    return "ubl";
  }
  if (c == '{' || c == '[') return "json";
  std::string extension = std::filesystem::path(path).extension().string();
  for (char& ch : extension) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return extension == ".xml" ? "ubl" : "json";
}

// Writes atomically: a temporary file renamed over the target, so a failed run leaves no
// half-written output.
bool WriteOutput(const std::string& path, const std::string& data, std::ostream& out,
                 std::ostream& err) {
  if (path.empty() || path == "-") {
    out << data;
    return static_cast<bool>(out);
  }
  std::string tmp = path + ".tmp";
  {
    std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
    if (!file || !file.write(data.data(), static_cast<std::streamsize>(data.size())) ||
        !file.flush()) {
      err << "eigw convert: cannot write '" << path << "': " << std::strerror(errno) << "\n";
      std::remove(tmp.c_str());
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    err << "eigw convert: cannot write '" << path << "': " << std::strerror(errno) << "\n";
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

// Prints an error of `what` and its findings; returns the exit code for it.
int Report(const std::string& what, const Error& e, std::ostream& err) {
  err << "eigw convert: " << (what == "-" ? "standard input" : what) << ": " << e.message() << "\n";
  for (const Finding& f : e.findings()) {
    err << "  " << (f.location.empty() ? "(document)" : f.location) << ": " << f.message << " [" << f.rule << "]\n";
  }
  return e.code() == ErrorCode::kInvalidArgument || e.code() == ErrorCode::kOutOfRange ? 1 : 4;
}

void PrintWarnings(const std::vector<Finding>& losses, std::ostream& err) {
  for (const Finding& f : losses) {
    err << "eigw convert: warning: " << (f.location.empty() ? "(document)" : f.location) << ": " << f.message
        << " [" << f.rule << "]\n";
  }
}

// Several invoices of one seller into one Estonian e-invoice file (Header, Invoice per input,
// Footer with the control totals).
int ConvertBatch(const formats::FormatRegistry& registry, const Options& o, std::ostream& out, std::ostream& err) {
  std::vector<model::Invoice> invoices;
  std::vector<Finding> losses;
  for (const std::string& path : o.inputs) {
    std::string input;
    if (!ReadInput(path, input, err)) return 3;
    const std::string from = o.from.empty() ? DetectFormat(path, input) : o.from;
    if (o.as_is && from == "json") {
      err << "eigw convert: --as-is needs complete documents; '" << path << "' is ERP JSON, which is computed\n";
      return 2;
    }
    auto reader = registry.Find(from);
    if (!reader || !(*reader)->read) {
      err << "eigw convert: format '" << from << "' cannot be read\n";
      return 2;
    }
    auto invoice = (*reader)->read(input, losses);
    if (!invoice) return Report(path, invoice.error(), err);
    if (!o.as_is) {
      if (auto st = formats::calc::Complete(*invoice); !st) return Report(path, st.error(), err);
    }
    invoices.push_back(std::move(*invoice));
  }
  auto batch = formats::ee::BatchFromRouting(o.write.routing, invoices);
  if (!batch) return Report(std::to_string(invoices.size()) + " invoices", batch.error(), err);
  auto written = formats::ee::WriteBatch(*batch, &losses);
  if (!written) return Report(std::to_string(invoices.size()) + " invoices", written.error(), err);
  PrintWarnings(losses, err);
  if (!WriteOutput(o.output, *written, out, err)) return 3;
  if (!o.output.empty() && o.output != "-") {
    err << "eigw convert: wrote " << o.output << " (" << invoices.size() << " invoices, " << written->size()
        << " bytes)\n";
  }
  return 0;
}

}  // namespace

int RunConvert(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  Options o;
  bool help = false;
  if (!ParseOptions(args, o, err, help)) {
    err << "\n" << kConvertUsage;
    return 2;
  }
  if (help) {
    out << kConvertUsage;
    return 0;
  }
  formats::FormatRegistry registry;
  auto st = formats::RegisterBuiltinFormats(registry);
  if (!st) {
    err << "eigw convert: " << st.error().ToString() << "\n";
    return 4;
  }
  for (const std::string* name : {&o.from, &o.to}) {
    if (name->empty()) continue;  // --from not given
    if (auto f = registry.Find(*name); !f) {
      err << "eigw convert: " << f.error().message() << "\n";
      return 2;
    }
  }
  if (o.inputs.size() > 1) return ConvertBatch(registry, o, out, err);
  std::string input;
  if (!ReadInput(o.input, input, err)) return 3;
  const std::string from = o.from.empty() ? DetectFormat(o.input, input) : o.from;
  std::vector<Finding> losses;
  if (o.as_is && from == "json") {
    err << "eigw convert: --as-is needs a complete document (UBL, CII or a national format); ERP JSON is "
           "computed\n";
    return 2;
  }
  auto result = formats::Convert(registry, from, o.to, input, &losses, !o.as_is, o.write);
  if (!result) return Report(o.input, result.error(), err);
  PrintWarnings(losses, err);
  if (!WriteOutput(o.output, *result, out, err)) return 3;
  if (!o.output.empty() && o.output != "-") {
    err << "eigw convert: wrote " << o.output << " (" << result->size() << " bytes)\n";
  }
  return 0;
}

}  // namespace gw::cli
