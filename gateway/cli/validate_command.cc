// eigw validate [--rules NAME[,NAME...]] [--schemas DIR] [--format text|json] FILE...
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <fstream>
#include <iostream>
#include <iterator>

#include "formats/eeinvoice/ee_invoice.h"
#include "formats/finvoice/finvoice_reader.h"
#include "formats/finvoice/finvoice_rules.h"
#include "formats/validation/validator.h"
#include "formats/xsd/schema_set.h"
#include "gateway/cli/command.h"

namespace gw::cli {
namespace {

constexpr const char* kValidateUsage =
    "usage: eigw validate [--rules NAME[,NAME...]] [--schemas DIR]... [--format text|json] FILE...\n"
    "\n"
    "Checks UBL 2.1 invoices and credit notes and UN/CEFACT CII D16B invoices against the\n"
    "official EN16931 (UBL, CII) and Peppol BIS Billing 3.0 rules, natively, and Estonian\n"
    "e-invoice and Finvoice files against the rules of their documentation (control totals, sums,\n"
    "reference numbers; docs/formats/ee-einvoice.md, finvoice.md). Every finding is listed.\n"
    "  --rules NAMES   rule sets to apply, comma separated (en16931-ubl, peppol-bis3, en16931-cii,\n"
    "                  or with @version); default, as the official validators choose: EN16931 of\n"
    "                  the document's syntax, and for UBL Peppol too when cbc:CustomizationID\n"
    "                  names Peppol BIS Billing 3.0\n"
    "  --schemas DIR   also check the structure against the official XML Schemas in DIR\n"
    "                  (ubl-2.1/maindoc/..., cii-d16b/..., optionally facturx/en16931/ and\n"
    "                  facturx/basic/ for the Factur-X profiles, estonia-einvoice/xsd/ and\n"
    "                  finvoice/xsd/ for the national formats; see docs/validation.md); may be\n"
    "                  given more than once, each document is checked with the first folder\n"
    "                  that has its schema; default: $EIGW_SCHEMAS (folders separated by ':')\n"
    "                  when set, else no schema check\n"
    "  --format F      text (default) or json: one JSON object per file and line:\n"
    "                  {\"file\",\"syntax\",\"rules\",\"valid\",\"findings\":[{\"rule\",\"severity\",\n"
    "                  \"location\",\"message\"}]} (severity: fatal, warning or information)\n"
    "Exit codes: 0 no file has a fatal finding, 1 some file has one, 2 usage error,\n"
    "3 a file could not be read, 4 internal error.\n";

constexpr size_t kMaxInputBytes = 64 * 1024 * 1024;

void JsonString(std::ostream& out, std::string_view s) {
  out << '"';
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out << "\\\""; break;
      case '\\': out << "\\\\"; break;
      case '\n': out << "\\n"; break;
      case '\r': out << "\\r"; break;
      case '\t': out << "\\t"; break;
      default:
        if (u < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", u);
          out << buf;
        } else {
          out << c;
        }
    }
  }
  out << '"';
}

const char* SeverityName(Finding::Severity s) {
  switch (s) {
    case Finding::Severity::kFatal: return "fatal";
    case Finding::Severity::kWarning: return "warning";
    case Finding::Severity::kInformation: return "information";
  }
  return "fatal";
}

void PrintJson(std::ostream& out, const std::string& file, const formats::validation::Report& r) {
  out << "{\"file\":";
  JsonString(out, file);
  out << ",\"syntax\":";
  JsonString(out, r.syntax);
  out << ",\"rules\":[";
  for (size_t i = 0; i < r.rules.size(); ++i) {
    if (i > 0) out << ',';
    JsonString(out, r.rules[i]);
  }
  out << "],\"valid\":" << (r.valid() ? "true" : "false") << ",\"findings\":[";
  for (size_t i = 0; i < r.findings.size(); ++i) {
    const Finding& f = r.findings[i];
    if (i > 0) out << ',';
    out << "{\"rule\":";
    JsonString(out, f.rule);
    out << ",\"severity\":\"" << SeverityName(f.severity) << "\",\"location\":";
    JsonString(out, f.location);
    out << ",\"message\":";
    JsonString(out, f.message);
    out << '}';
  }
  out << "]}\n";
}

void PrintText(std::ostream& out, const std::string& file, const formats::validation::Report& r) {
  out << (r.valid() ? "PASS  " : "FAIL  ") << file << "  [" << (r.syntax.empty() ? "unknown" : r.syntax);
  for (size_t i = 0; i < r.rules.size(); ++i) out << (i == 0 ? "; " : "+") << r.rules[i];
  out << "]\n";
  for (const Finding& f : r.findings) {
    out << "      " << SeverityName(f.severity) << " " << f.rule;
    if (!f.location.empty()) out << " at " << f.location;
    out << ": " << f.message << "\n";
  }
}

bool ReadFile(const std::string& path, std::string& text, std::string& why) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    why = "cannot open the file";
    return false;
  }
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  if (size > static_cast<std::streamoff>(kMaxInputBytes)) {
    why = "the file has " + std::to_string(size) + " bytes, more than the limit of " + std::to_string(kMaxInputBytes);
    return false;
  }
  in.seekg(0);
  text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) {
    why = "read error";
    return false;
  }
  return true;
}

// The report for a national format: its own rules (the EN16931 rule sets are for UBL and CII;
// asking for them here is refused per file, as for a syntax mismatch).
formats::validation::Report ValidateNational(const char* syntax, const char* rule_set,
                                             std::vector<Finding> findings,
                                             const formats::validation::ValidateOptions& options) {
  formats::validation::Report report;
  report.syntax = syntax;
  if (!options.rules.empty()) {
    report.findings.push_back(Finding{
        "rules.syntax", Finding::Severity::kFatal, "",
        std::string("this document is ") + syntax + "; the rule sets of --rules are for UBL and CII documents. Leave "
        "--rules out to check it against its own rules"});
    return report;
  }
  report.rules.push_back(rule_set);
  report.findings = std::move(findings);
  return report;
}

}  // namespace

int RunValidate(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  formats::validation::ValidateOptions options;
  std::string format = "text";
  const char* env_schemas = std::getenv("EIGW_SCHEMAS");
  std::vector<std::string> schemas;
  bool schemas_given = false;  // --schemas replaces $EIGW_SCHEMAS
  if (env_schemas != nullptr) {
    std::string_view list = env_schemas;
    while (!list.empty()) {
      const size_t colon = list.find(':');
      if (colon != 0) schemas.emplace_back(list.substr(0, colon));
      if (colon == std::string_view::npos) break;
      list.remove_prefix(colon + 1);
    }
  }
  std::vector<std::string> files;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      out << kValidateUsage;
      return 0;
    }
    if (a == "--rules" || a == "--format" || a == "--schemas") {
      if (i + 1 >= args.size()) {
        err << "eigw validate: " << a << " needs a value\n" << kValidateUsage;
        return 2;
      }
      const std::string& v = args[++i];
      if (a == "--format") {
        format = v;
        continue;
      }
      if (a == "--schemas") {
        if (!schemas_given) schemas.clear();
        schemas_given = true;
        schemas.push_back(v);
        continue;
      }
      size_t start = 0;
      while (start <= v.size()) {
        size_t comma = v.find(',', start);
        std::string name = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!name.empty()) options.rules.push_back(name);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      continue;
    }
    if (a.size() > 1 && a[0] == '-') {
      err << "eigw validate: unknown option '" << a << "'\n" << kValidateUsage;
      return 2;
    }
    files.push_back(a);
  }
  if (format != "text" && format != "json") {
    err << "eigw validate: --format must be text or json, not '" << format << "'\n";
    return 2;
  }
  if (files.empty()) {
    err << "eigw validate: no FILE given\n" << kValidateUsage;
    return 2;
  }
  std::vector<std::shared_ptr<const formats::xsd::SchemaSet>> schema_sets;
  for (const std::string& folder : schemas) {
    auto loaded = formats::xsd::SchemaSet::Load(folder);
    if (!loaded) {
      err << "eigw validate: cannot load the schemas from '" << folder << "': " << loaded.error().message() << "\n";
      return 3;
    }
    schema_sets.push_back(*loaded);
  }
  // The structure first, as the official validators report it; then the rules.
  auto check_structure = [&](const std::string& text, formats::xsd::DocumentSchema kind,
                             formats::validation::Report& report) {
    if (schema_sets.empty()) return;
    const formats::xsd::SchemaSet* set = schema_sets.front().get();
    for (const auto& s : schema_sets) {
      if (s->Has(kind)) {
        set = s.get();
        break;
      }
    }
    auto structure = set->Validate(text);
    std::vector<Finding> findings;
    if (structure) {
      findings = std::move(*structure);
    } else if (!structure.error().findings().empty()) {
      findings = structure.error().findings();
    } else {
      findings.push_back(Finding{"XSD", Finding::Severity::kFatal, "", structure.error().message()});
    }
    report.rules.insert(report.rules.begin(), "xsd");
    findings.insert(findings.end(), report.findings.begin(), report.findings.end());
    report.findings = std::move(findings);
  };
  bool any_invalid = false, any_unreadable = false;
  size_t passed = 0;
  for (const std::string& file : files) {
    std::string text, why;
    formats::validation::Report report;
    if (!ReadFile(file, text, why)) {
      any_unreadable = true;
      report.findings.push_back(Finding{"file.unreadable", Finding::Severity::kFatal, "", why});
    } else if (formats::ee::LooksLikeEeInvoice(text)) {
      report = ValidateNational("ee-einvoice", formats::ee::kRuleSetId, formats::ee::CheckRules(text), options);
      check_structure(text, formats::xsd::DocumentSchema::kEeInvoice, report);
    } else if (formats::finvoice::LooksLikeFinvoice(text)) {
      report = ValidateNational("finvoice", "finvoice@3.0", formats::finvoice::CheckRules(text), options);
      // The schema checks the Finvoice document; a SOAP frame in front is cut off first.
      auto part = formats::finvoice::WithoutEnvelope(text);
      if (!part) {
        for (const Finding& f : part.error().findings()) report.findings.push_back(f);
      } else {
        const size_t before = report.findings.size();
        check_structure(std::string(part->document), formats::xsd::DocumentSchema::kFinvoice, report);
        const size_t added = report.findings.size() - before;
        for (size_t i = 0; part->after_envelope && i < added; ++i) {
          report.findings[i].message = "in the Finvoice document after the SOAP frame (from line " +
                                       std::to_string(part->line) + " of the file): " + report.findings[i].message;
        }
      }
    } else {
      auto r = formats::validation::Validate(text, options);
      if (!r) {
        err << "eigw validate: " << r.error().message() << "\n";
        return r.error().code() == ErrorCode::kInvalidArgument ? 2 : 4;
      }
      report = std::move(*r);
      if (!report.syntax.empty()) {
        using formats::xsd::DocumentSchema;
        check_structure(text,
                        report.syntax == "cii"              ? DocumentSchema::kCii
                        : report.syntax == "ubl-creditnote" ? DocumentSchema::kUblCreditNote
                                                            : DocumentSchema::kUblInvoice,
                        report);
      }
    }
    if (report.valid()) {
      ++passed;
    } else {
      any_invalid = true;
    }
    if (format == "json") {
      PrintJson(out, file, report);
    } else {
      PrintText(out, file, report);
    }
  }
  if (format == "text") {
    out << "Result: " << files.size() << " file(s), " << passed << " PASS, " << files.size() - passed << " FAIL\n";
  }
  if (any_unreadable) return 3;
  return any_invalid ? 1 : 0;
}

}  // namespace gw::cli
