#include "formats/validation/validator.h"

#include <algorithm>
#include <memory>
#include <unordered_set>

#include "formats/validation/path_classes.h"
#include "formats/validation/schematron.h"

namespace gw::formats::validation {
namespace {

constexpr std::string_view kPeppolBilling = "urn:fdc:peppol.eu:2017:poacc:billing:3.0";
// In the specification identifier of XRechnung 3.0 (its CIUS, extension and CVD identifiers).
constexpr std::string_view kXRechnung = "urn:xeinkauf.de:kosit:xrechnung_3.0";
constexpr std::string_view kXRechnungExtension = "#conformant#urn:xeinkauf.de:kosit:extension:xrechnung_3.0";
constexpr std::string_view kXRechnungCvd = "urn:xeinkauf.de:kosit:xrechnung:cvd_";

// The rule sets, each for one syntax.
enum class Syntax { kUbl, kCii };

struct Compiled {
  struct Set {
    Syntax syntax;
    std::unique_ptr<RuleSet> rules;
  };
  // en16931-ubl, peppol-bis3, en16931-cii, xrechnung-ubl, peppol-bis3-xrechnung (the Peppol rules
  // XRechnung merges in), xrechnung-cii
  std::vector<Set> sets;
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
    auto add = [&](Syntax syntax, Result<std::unique_ptr<RuleSet>> set) {
      if (!set) {
        c->error = set.error().message();
        return;
      }
      c->sets.push_back(Compiled::Set{syntax, std::move(*set)});
    };
    add(Syntax::kUbl, RuleSet::Compile(kEn16931UblRules));
    add(Syntax::kUbl, RuleSet::Compile(kPeppolUblRules));
    add(Syntax::kCii, RuleSet::Compile(kEn16931CiiRules));
    add(Syntax::kUbl, RuleSet::Compile(kXRechnungUblRules));
    std::unordered_set<std::string> merged(kXRechnungPeppolRuleIds, kXRechnungPeppolRuleIds + kXRechnungPeppolRuleIdCount);
    add(Syntax::kUbl, RuleSet::Compile(kPeppolUblRules, "peppol-bis3-xrechnung", merged));
    add(Syntax::kCii, RuleSet::Compile(kXRechnungCiiRules));
    return c;
  }();
  return *compiled;
}

// XRechnung extension and CVD documents: the XRechnung rules that replace EN16931 rules (BR-DEX-04
// for BR-CL-10, BR-TMP-CVD-01 for BR-CL-13, ...) take their place, so the replaced rule's findings
// go, as in the XRechnung validator configuration.
void DropOverridden(const std::vector<const RuleSet*>& chosen, const std::string& specification,
                    std::vector<Finding>& findings) {
  const bool extension = specification.find(kXRechnungExtension) != std::string::npos;
  const bool cvd = specification.find(kXRechnungCvd) != std::string::npos;
  if (!extension && !cvd) return;
  std::unordered_set<std::string_view> dropped;
  for (const RuleSet* set : chosen) {
    const RuleOverride* table = nullptr;
    size_t count = 0;
    if (set->name() == "xrechnung-ubl") {
      table = kXRechnungUblRulesOverrides;
      count = kXRechnungUblRulesOverrideCount;
    } else if (set->name() == "xrechnung-cii") {
      table = kXRechnungCiiRulesOverrides;
      count = kXRechnungCiiRulesOverrideCount;
    }
    for (size_t i = 0; i < count; ++i) {
      std::string_view rule = table[i].rule;
      bool applies = rule.find("CVD") != std::string_view::npos ? cvd : extension;
      if (applies) dropped.insert(table[i].overridden);
    }
  }
  if (dropped.empty()) return;
  findings.erase(std::remove_if(findings.begin(), findings.end(),
                                [&](const Finding& f) { return dropped.count(f.rule) != 0; }),
                 findings.end());
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
  // As the official validators choose, by the specification identifier (BT-24:
  // cbc:CustomizationID, or in CII rsm:ExchangedDocumentContext/
  // ram:GuidelineSpecifiedDocumentContextParameter/ram:ID): EN16931 for the syntax; for
  // XRechnung 3.0 its rules (and for UBL the Peppol rules it merges in); for UBL that names
  // Peppol BIS Billing 3.0 the Peppol rules.
  const std::string specification = xml::SpecificationIdentifier(doc);
  std::vector<const RuleSet*> chosen;
  if (options.rules.empty()) {
    const bool xrechnung = specification.find(kXRechnung) != std::string::npos;
    if (syntax == Syntax::kCii) {
      chosen.push_back(sets.Find("en16931-cii"));
      if (xrechnung) chosen.push_back(sets.Find("xrechnung-cii"));
    } else {
      chosen.push_back(sets.Find("en16931-ubl"));
      if (xrechnung) {
        chosen.push_back(sets.Find("xrechnung-ubl"));
        chosen.push_back(sets.Find("peppol-bis3-xrechnung"));
      } else if (specification.find(kPeppolBilling) != std::string::npos) {
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
  const PathClasses classes(doc);
  for (const RuleSet* set : chosen) {
    report.rules.push_back(set->id());
    set->Run(doc, classes, report.findings, options.work_per_node, options.shortcuts);
  }
  DropOverridden(chosen, specification, report.findings);
  return report;
}

}  // namespace gw::formats::validation
