// Native validation of UBL 2.1 invoices and credit notes against the official EN16931 and Peppol
// BIS Billing 3.0 rules (compiled from the official Schematron, see schematron.h).
//
// Rule sets are named and versioned: "en16931-ubl@1.3.16", "peppol-bis3@3.0.19". By default they
// are chosen as the official validators do: EN16931 for every UBL document, Peppol when
// cbc:CustomizationID names the Peppol BIS Billing 3.0 specification.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "formats/core/result.h"
#include "formats/xml/xml_document.h"

namespace gw::formats::validation {

struct ValidateOptions {
  // Rule set names ("en16931-ubl", "peppol-bis3", optionally with "@version"); empty = by
  // CustomizationID.
  std::vector<std::string> rules;
  // Work budget per node of the document (see RuleSet::Run); a document that needs more gets one
  // fatal finding "validation.limit" instead of unbounded time.
  uint64_t work_per_node = 1000;
  // The evaluator's shortcuts: scalar evaluation (EvalScalar in xpath_eval.h), steps read from
  // groups of nodes (Evaluator::Partition), remembered sums. Off only to test them: the findings
  // must be the same, messages included.
  bool shortcuts = true;
};

struct Report {
  std::string syntax;              // "ubl-invoice", "ubl-creditnote", or "" when not recognised
  std::vector<std::string> rules;  // the rule sets that ran, "name@version"
  std::vector<Finding> findings;   // every finding, in rule-set then document order
  bool valid() const;              // no fatal finding
};

// Names of the available rule sets ("name@version").
std::vector<std::string> AvailableRuleSets();

// Validates one document. A document that is not well-formed XML, or not UBL, gives a report
// with a fatal finding (rule "xml.syntax", "xml.doctype", "xml.limit" or "syntax.unknown"); an
// unknown rule set name is an error.
Result<Report> Validate(std::string_view xml, const ValidateOptions& options = {});
Result<Report> Validate(const xml::Document& doc, const ValidateOptions& options = {});

}  // namespace gw::formats::validation
