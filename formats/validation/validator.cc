#include "formats/validation/validator.h"

#include <memory>

#include "formats/validation/schematron.h"

namespace gw::formats::validation {
namespace {

constexpr std::string_view kPeppolBilling = "urn:fdc:peppol.eu:2017:poacc:billing:3.0";

// The rule sets, each for one syntax.
enum class Syntax { kUbl, kCii };

struct Compiled {
  struct Set {
    Syntax syntax;
    std::unique_ptr<RuleSet> rules;
  };
  std::vector<Set> sets;  // en16931-ubl, peppol-bis3, en16931-cii
  std::string error;
  const RuleSet* Find(std::string_view name) const {
    for (const Set& s : sets) {
      if (s.rules->name() == name) return s.rules.get();
    }
    return nullptr;
  }
};

// Compiled once, on first use, then shared read-only by every thread.
const Compiled& RuleSets() {
  static const Compiled* compiled = [] {
    auto* c = new Compiled;
    const std::pair<Syntax, const RuleSource*> sources[] = {
        {Syntax::kUbl, &kEn16931UblRules}, {Syntax::kUbl, &kPeppolUblRules}, {Syntax::kCii, &kEn16931CiiRules}};
    for (const auto& [syntax, source] : sources) {
      auto set = RuleSet::Compile(*source);
      if (!set) {
        c->error = set.error().message();
        continue;
      }
      c->sets.push_back(Compiled::Set{syntax, std::move(*set)});
    }
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
  std::vector<std::string> out;
  for (const Compiled::Set& s : RuleSets().sets) out.push_back(s.rules->id());
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
  Syntax syntax;
  if (ns == xml::kUblInvoiceNs && local == "Invoice") {
    report.syntax = "ubl-invoice";
    syntax = Syntax::kUbl;
  } else if (ns == xml::kUblCreditNoteNs && local == "CreditNote") {
    report.syntax = "ubl-creditnote";
    syntax = Syntax::kUbl;
  } else if (ns == xml::kCiiNs && local == "CrossIndustryInvoice") {
    report.syntax = "cii";
    syntax = Syntax::kCii;
  } else {
    report.findings.push_back(Finding{
        "syntax.unknown", Finding::Severity::kFatal, "/" + std::string(local),
        "the root element {" + std::string(ns) + "}" + std::string(local) +
            " is not a UBL 2.1 Invoice or CreditNote or a UN/CEFACT CII D16B CrossIndustryInvoice; nothing "
            "else can be validated here"});
    return report;
  }
  std::vector<const RuleSet*> chosen;
  if (options.rules.empty()) {
    // As the official validators choose: EN16931 for the syntax, and for UBL Peppol when
    // cbc:CustomizationID names Peppol BIS Billing 3.0.
    if (syntax == Syntax::kCii) {
      chosen.push_back(sets.Find("en16931-cii"));
    } else {
      chosen.push_back(sets.Find("en16931-ubl"));
      xml::NameId customization = doc.FindName(xml::kCbcNs, "CustomizationID");
      xml::NodeId c = customization == xml::kNoName ? xml::kNoNode : doc.Child(root, customization);
      if (c != xml::kNoNode && doc.StringValue(c).find(kPeppolBilling) != std::string::npos) {
        chosen.push_back(sets.Find("peppol-bis3"));
      }
    }
  } else {
    for (const std::string& wanted : options.rules) {
      const Compiled::Set* found = nullptr;
      for (const Compiled::Set& s : sets.sets) {
        if (Selects(wanted, *s.rules)) found = &s;
      }
      if (found == nullptr) {
        std::string names;
        for (const std::string& n : AvailableRuleSets()) names += (names.empty() ? "" : ", ") + n;
        return Error::InvalidArgument("unknown rule set '" + wanted + "' (available: " + names + ")");
      }
      if (found->syntax != syntax) {
        // Rules of the other syntax would match nothing and pass everything: refused, per file.
        report.findings.push_back(Finding{
            "rules.syntax", Finding::Severity::kFatal, "",
            "the rule set " + found->rules->id() + " is for " + (found->syntax == Syntax::kCii ? "CII" : "UBL") +
                " documents; this document is " + (syntax == Syntax::kCii ? "CII" : "UBL") +
                ". Choose rule sets of its syntax (or none, to have them chosen from the document)"});
        return report;
      }
      chosen.push_back(found->rules.get());
    }
  }
  for (const RuleSet* set : chosen) {
    report.rules.push_back(set->id());
    set->Run(doc, report.findings, options.work_per_node);
  }
  return report;
}

}  // namespace gw::formats::validation
