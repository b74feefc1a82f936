#include "formats/validation/validator.h"

#include <memory>

#include "formats/validation/schematron.h"

namespace gw::formats::validation {
namespace {

constexpr std::string_view kPeppolBilling = "urn:fdc:peppol.eu:2017:poacc:billing:3.0";

struct Compiled {
  std::unique_ptr<RuleSet> en16931;
  std::unique_ptr<RuleSet> peppol;
  std::string error;
};

// Compiled once, on first use, then shared read-only by every thread.
const Compiled& RuleSets() {
  static const Compiled* compiled = [] {
    auto* c = new Compiled;
    auto en = RuleSet::Compile(kEn16931UblRules);
    auto pe = RuleSet::Compile(kPeppolUblRules);
    if (!en) c->error = en.error().message();
    if (!pe) c->error = pe.error().message();
    if (en) c->en16931 = std::move(*en);
    if (pe) c->peppol = std::move(*pe);
    return c;
  }();
  return *compiled;
}

bool Selects(const std::string& wanted, const RuleSet& set) {
  return wanted == set.name() || wanted == set.id();
}

}  // namespace

bool Report::valid() const {
  for (const Finding& f : findings) {
    if (f.severity == Finding::Severity::kFatal) return false;
  }
  return true;
}

std::vector<std::string> AvailableRuleSets() {
  const Compiled& c = RuleSets();
  std::vector<std::string> out;
  if (c.en16931) out.push_back(c.en16931->id());
  if (c.peppol) out.push_back(c.peppol->id());
  return out;
}

Result<Report> Validate(std::string_view xml, const ValidateOptions& options) {
  auto doc = xml::Document::Parse(xml);
  if (!doc) {
    Report report;
    report.findings = doc.error().findings();
    if (report.findings.empty()) {
      report.findings.push_back(Finding{"xml.syntax", Finding::Severity::kFatal, "", doc.error().message()});
    }
    return report;
  }
  return Validate(*doc, options);
}

Result<Report> Validate(const xml::Document& doc, const ValidateOptions& options) {
  const Compiled& sets = RuleSets();
  if (!sets.error.empty()) return Error::Internal("the rule sets did not compile: " + sets.error);
  Report report;
  xml::NodeId root = doc.document_element();
  std::string_view ns = doc.namespace_uri(root), local = doc.local_name(root);
  if (ns == xml::kUblInvoiceNs && local == "Invoice") {
    report.syntax = "ubl-invoice";
  } else if (ns == xml::kUblCreditNoteNs && local == "CreditNote") {
    report.syntax = "ubl-creditnote";
  } else {
    report.findings.push_back(Finding{
        "syntax.unknown", Finding::Severity::kFatal, "/" + std::string(local),
        "the root element {" + std::string(ns) + "}" + std::string(local) +
            " is not a UBL 2.1 Invoice or CreditNote; nothing else can be validated here"});
    return report;
  }
  std::vector<const RuleSet*> chosen;
  if (options.rules.empty()) {
    chosen.push_back(sets.en16931.get());
    xml::NameId customization = doc.FindName(xml::kCbcNs, "CustomizationID");
    xml::NodeId c = customization == xml::kNoName ? xml::kNoNode : doc.Child(root, customization);
    if (c != xml::kNoNode && doc.StringValue(c).find(kPeppolBilling) != std::string::npos) {
      chosen.push_back(sets.peppol.get());
    }
  } else {
    for (const std::string& wanted : options.rules) {
      const RuleSet* found = nullptr;
      for (const RuleSet* s : {sets.en16931.get(), sets.peppol.get()}) {
        if (Selects(wanted, *s)) found = s;
      }
      if (found == nullptr) {
        std::string names;
        for (const std::string& n : AvailableRuleSets()) names += (names.empty() ? "" : ", ") + n;
        return Error::InvalidArgument("unknown rule set '" + wanted + "' (available: " + names + ")");
      }
      chosen.push_back(found);
    }
  }
  for (const RuleSet* set : chosen) {
    report.rules.push_back(set->id());
    set->Run(doc, report.findings, options.work_per_node);
  }
  return report;
}

}  // namespace gw::formats::validation
