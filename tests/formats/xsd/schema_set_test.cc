// SchemaSet: findings for broken documents (compared with xmllint), every error collected, the
// limits, and validation on several threads sharing one set.
#include "formats/xsd/schema_set.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "tests/formats/xsd/xsd_test_util.h"

namespace gw::formats::xsd {
namespace {

using namespace gw::formats::xsd::testing;  // NOLINT

fs::path Example(const std::string& relative) {
  return SharedDir() / "conformance" / "examples" / relative;
}

// The Peppol BIS base example: a valid UBL 2.1 Invoice of 210 lines.
std::string BaseInvoice() { return ReadFile(Example("peppol/examples/base-example.xml")); }

TEST(SchemaSetTest, ValidDocumentsHaveNoFinding) {
  const SchemaSet* set = SharedSchemas();
  ASSERT_NE(set, nullptr);
  for (const char* file :
       {"peppol/examples/base-example.xml", "en16931/ubl/ubl-tc434-creditnote1.xml",
        "en16931/cii/CII_example1.xml"}) {
    auto findings = set->Validate(ReadFile(Example(file)));
    ASSERT_TRUE(findings.has_value()) << file << ": " << findings.error().ToString();
    EXPECT_TRUE(findings->empty()) << file << ": " << findings->front().message;
  }
}

struct BrokenCase {
  const char* name;
  std::function<std::string(const std::string&)> mutate;
  std::string location;     // of the first finding
  std::string line_of;      // the first finding is on the line where this text is
  std::string message_has;  // and its message says this
};

std::vector<BrokenCase> BrokenCases() {
  return {
      {"element out of order",
       [](const std::string& xml) {
         return Replaced(xml,
                         "<cbc:IssueDate>2017-11-13</cbc:IssueDate>\n"
                         "    <cbc:DueDate>2017-12-01</cbc:DueDate>",
                         "<cbc:DueDate>2017-12-01</cbc:DueDate>\n"
                         "    <cbc:IssueDate>2017-11-13</cbc:IssueDate>");
       },
       "/Invoice/cbc:DueDate[1]", "<cbc:DueDate>", "This element is not expected"},
      {"unknown element",
       [](const std::string& xml) {
         return Replaced(xml, "<cbc:BuyerReference>0150abc</cbc:BuyerReference>",
                         "<cbc:BuyerReference>0150abc</cbc:BuyerReference>\n"
                         "    <cbc:FavouriteColour>red</cbc:FavouriteColour>");
       },
       "/Invoice/cbc:FavouriteColour[1]", "<cbc:FavouriteColour>",
       "FavouriteColour': This element is not expected"},
      {"missing cbc:ID",
       [](const std::string& xml) { return Replaced(xml, "<cbc:ID>Snippet1</cbc:ID>", ""); },
       "/Invoice/cbc:IssueDate[1]", "<cbc:IssueDate>",
       "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}ID )."},
      {"amount without currencyID",
       [](const std::string& xml) {
         return Replaced(xml, "<cbc:PayableAmount currencyID=\"EUR\">", "<cbc:PayableAmount>");
       },
       "/Invoice/cac:LegalMonetaryTotal[1]/cbc:PayableAmount[1]", "<cbc:PayableAmount>",
       "The attribute 'currencyID' is required but missing"},
      {"second line's amount without currencyID",
       [](const std::string& xml) {
         return Replaced(xml, "<cbc:LineExtensionAmount currencyID=\"EUR\">-1500",
                         "<cbc:LineExtensionAmount>-1500");
       },
       "/Invoice/cac:InvoiceLine[2]/cbc:LineExtensionAmount[1]", "<cbc:LineExtensionAmount>-1500",
       "The attribute 'currencyID' is required but missing"},
      {"invalid date (reported at the end tag, located at the element)",
       [](const std::string& xml) {
         return Replaced(xml, "<cbc:DueDate>2017-12-01<", "<cbc:DueDate>2017-13-45<");
       },
       "/Invoice/cbc:DueDate[1]", "<cbc:DueDate>",
       "'2017-13-45' is not a valid value of the atomic type 'xs:date'"},
      {"no invoice line (a missing last child: reported on the root's start tag)",
       [](const std::string& xml) {
         const size_t from = xml.find("<cac:InvoiceLine>");
         const size_t to =
             xml.rfind("</cac:InvoiceLine>") + std::string("</cac:InvoiceLine>").size();
         std::string out = xml;
         out.erase(from, to - from);
         return out;
       },
       // The root's start tag spans lines 2-4; libxml2 numbers an element by the line where
       // its start tag ends, in tree (xmllint) and streaming validation alike.
       "/Invoice", "xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\">",
       "Missing child element(s)"},
  };
}

TEST(SchemaSetTest, BrokenDocumentsGiveAFindingOnTheRightLine) {
  const SchemaSet* set = SharedSchemas();
  ASSERT_NE(set, nullptr);
  const std::string base = BaseInvoice();
  TempDir temp;
  std::vector<fs::path> files;
  std::vector<std::vector<Finding>> results;
  for (const BrokenCase& c : BrokenCases()) {
    SCOPED_TRACE(c.name);
    const std::string xml = c.mutate(base);
    auto findings = set->Validate(xml);
    ASSERT_TRUE(findings.has_value()) << findings.error().ToString();
    ASSERT_FALSE(findings->empty());
    const Finding& first = findings->front();
    EXPECT_EQ(first.rule, "XSD");
    EXPECT_EQ(first.severity, Finding::Severity::kFatal);
    EXPECT_EQ(first.location, c.location);
    const unsigned line = LineOf(xml, c.line_of);
    ASSERT_GT(line, 0u);
    EXPECT_EQ(first.message.rfind("line " + std::to_string(line) + ": ", 0), 0u) << first.message;
    EXPECT_NE(first.message.find(c.message_has), std::string::npos) << first.message;
    files.push_back(temp.path() / (std::to_string(files.size()) + ".xml"));
    WriteFile(files.back(), xml);
    results.push_back(*findings);
  }
  // xmllint, validating the libxml2 tree, reports the same errors on the same lines.
  if (!HaveXmllint()) GTEST_SKIP() << "xmllint not found (apt-get install libxml2-utils)";
  const auto oracle =
      RunXmllint(SchemaFolder() / DocumentSchemaPath(DocumentSchema::kUblInvoice), files);
  for (size_t i = 0; i < files.size(); ++i) {
    SCOPED_TRACE(BrokenCases()[i].name);
    const std::vector<OracleError>& expected = oracle.at(files[i]);
    ASSERT_EQ(results[i].size(), expected.size());
    for (size_t j = 0; j < expected.size(); ++j) {
      EXPECT_EQ(results[i][j].message,
                "line " + std::to_string(expected[j].line) + ": " + expected[j].message);
    }
  }
}

TEST(SchemaSetTest, WrongRootIsOneFinding) {
  const SchemaSet* set = SharedSchemas();
  ASSERT_NE(set, nullptr);
  std::string xml = Replaced(BaseInvoice(), "<Invoice ", "<Order ");
  xml = Replaced(xml, "</Invoice>", "</Order>");
  xml = Replaced(xml, "xsd:Invoice-2\"", "xsd:Order-2\"");
  auto findings = set->Validate(xml);
  ASSERT_TRUE(findings.has_value()) << findings.error().ToString();
  ASSERT_EQ(findings->size(), 1u);
  EXPECT_EQ((*findings)[0].rule, "XSD");
  EXPECT_EQ((*findings)[0].location, "/Order");
  EXPECT_EQ((*findings)[0].message.rfind("line 4: the root element "
                                         "{urn:oasis:names:specification:ubl:schema:xsd:Order-2}"
                                         "Order is not",
                                         0),
            0u)
      << (*findings)[0].message;

  // A CreditNote element in the Invoice namespace is not a CreditNote either.
  auto mixed =
      set->Validate("<CreditNote xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'/>");
  ASSERT_TRUE(mixed.has_value());
  ASSERT_EQ(mixed->size(), 1u);
  EXPECT_EQ((*mixed)[0].location, "/CreditNote");
}

TEST(SchemaSetTest, EmptyRootIsCheckedToo) {
  const SchemaSet* set = SharedSchemas();
  ASSERT_NE(set, nullptr);
  // The validator is plugged in inside the root's start tag; the end tag of a self-closing root
  // comes right after, and must reach it.
  auto findings =
      set->Validate("<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'/>");
  ASSERT_TRUE(findings.has_value()) << findings.error().ToString();
  ASSERT_EQ(findings->size(), 1u);
  EXPECT_EQ((*findings)[0].location, "/Invoice");
  EXPECT_NE((*findings)[0].message.find("Missing child element(s)"), std::string::npos);
}

TEST(SchemaSetTest, DeclaredEncodingsAreHonoured) {
  const SchemaSet* set = SharedSchemas();
  ASSERT_NE(set, nullptr);
  // ISO-8859-1, with a non-ASCII name.
  std::string latin1 = Replaced(BaseInvoice(), "encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"");
  latin1 = Replaced(latin1, "SupplierTradingName Ltd.", "Soci\xE9t\xE9 Ltd.");
  auto findings = set->Validate(latin1);
  ASSERT_TRUE(findings.has_value()) << findings.error().ToString();
  EXPECT_TRUE(findings->empty());

  // UTF-16LE with a byte order mark, and an error whose line must still be right.
  const std::string broken =
      Replaced(Replaced(BaseInvoice(), "encoding=\"UTF-8\"", "encoding=\"UTF-16\""),
               "<cbc:PayableAmount currencyID=\"EUR\">", "<cbc:PayableAmount>");
  std::string utf16 = "\xFF\xFE";
  for (char c : broken) {
    utf16 += c;
    utf16 += '\0';
  }
  findings = set->Validate(utf16);
  ASSERT_TRUE(findings.has_value()) << findings.error().ToString();
  ASSERT_EQ(findings->size(), 1u);
  EXPECT_EQ((*findings)[0].message.rfind("line 144: ", 0), 0u) << (*findings)[0].message;
}

TEST(SchemaSetTest, LocationsUseTheUsualPrefixesWhateverTheDocumentUses) {
  const SchemaSet* set = SharedSchemas();
  ASSERT_NE(set, nullptr);
  std::string ubl = BaseInvoice();
  for (size_t at; (at = ubl.find("cbc:")) != std::string::npos;) ubl.replace(at, 4, "b:");
  ubl = Replaced(ubl, "xmlns:cbc=", "xmlns:b=");
  ubl = Replaced(ubl, "<b:PayableAmount currencyID=\"EUR\">", "<b:PayableAmount>");
  auto findings = set->Validate(ubl);
  ASSERT_TRUE(findings.has_value()) << findings.error().ToString();
  ASSERT_EQ(findings->size(), 1u);
  EXPECT_EQ((*findings)[0].location, "/Invoice/cac:LegalMonetaryTotal[1]/cbc:PayableAmount[1]");

  const std::string cii = Replaced(ReadFile(Example("en16931/cii/CII_example1.xml")),
                                   "<ram:TypeCode>380</ram:TypeCode>",
                                   "<ram:TypeCode>380</ram:TypeCode><x:Colour xmlns:x='urn:x'/>");
  findings = set->Validate(cii);
  ASSERT_TRUE(findings.has_value()) << findings.error().ToString();
  ASSERT_EQ(findings->size(), 1u);
  EXPECT_EQ((*findings)[0].location,
            "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument[1]/x:Colour[1]");
  EXPECT_EQ((*findings)[0].message.rfind("line 23: ", 0), 0u) << (*findings)[0].message;
}

TEST(SchemaSetTest, CollectsEveryErrorInDocumentOrder) {
  const SchemaSet* set = SharedSchemas();
  ASSERT_NE(set, nullptr);
  // Errors in values and attributes do not stop the check of what follows. (An element out of
  // place does: libxml2 skips the rest of its parent's content, as xmllint shows too.)
  std::string xml = BaseInvoice();
  for (const BrokenCase& c : BrokenCases()) {
    if (c.message_has.find("currencyID") != std::string::npos ||
        c.message_has.find("xs:date") != std::string::npos) {
      xml = c.mutate(xml);
    }
  }
  auto findings = set->Validate(xml);
  ASSERT_TRUE(findings.has_value()) << findings.error().ToString();
  ASSERT_EQ(findings->size(), 3u);
  EXPECT_EQ((*findings)[0].location, "/Invoice/cbc:DueDate[1]");
  EXPECT_EQ((*findings)[1].location, "/Invoice/cac:LegalMonetaryTotal[1]/cbc:PayableAmount[1]");
  EXPECT_EQ((*findings)[2].location, "/Invoice/cac:InvoiceLine[2]/cbc:LineExtensionAmount[1]");
}

TEST(SchemaSetTest, NotWellFormedIsASyntaxErrorWithItsLine) {
  const SchemaSet* set = SharedSchemas();
  ASSERT_NE(set, nullptr);
  const std::string base = BaseInvoice();
  struct Case {
    std::string xml;
    std::string message_start;
  };
  const Case cases[] = {
      {base.substr(0, base.find("<cac:InvoiceLine>")), "line 147"},
      {Replaced(base, "<cbc:ID>Snippet1</cbc:ID>", "<cbc:ID>Snippet1</cbc:Id>"), "line 7"},
      {Replaced(base, "<cbc:ID>Snippet1</cbc:ID>", "<xyz:ID>Snippet1</xyz:ID>"), "line 7"},
      {"", "the document is empty"},
      {"<?xml version='1.0'?>", "line 1"},
  };
  for (const Case& c : cases) {
    auto result = set->Validate(c.xml);
    ASSERT_FALSE(result.has_value()) << c.xml.substr(0, 80);
    EXPECT_EQ(result.error().code(), ErrorCode::kInvalidArgument);
    ASSERT_EQ(result.error().findings().size(), 1u);
    EXPECT_EQ(result.error().findings()[0].rule, "xml.syntax");
    EXPECT_EQ(result.error().findings()[0].message.rfind(c.message_start, 0), 0u)
        << result.error().ToString();
  }
}

TEST(SchemaSetTest, LimitsStopLargeDocumentsAndEndlessErrors) {
  SchemaSet::Limits limits;
  limits.max_bytes = 20000;
  limits.max_findings = 2;
  auto set = SchemaSet::Load(SchemaFolder().string(), limits);
  ASSERT_TRUE(set.has_value()) << set.error().ToString();

  const std::string base = BaseInvoice();
  auto large = (*set)->Validate(base + "<!--" + std::string(20000, 'x') + "-->");
  ASSERT_FALSE(large.has_value());
  ASSERT_EQ(large.error().findings().size(), 1u);
  EXPECT_EQ(large.error().findings()[0].rule, "xml.limit");

  // Every currencyID removed: 12 errors, reported up to the limit and then one line saying so.
  std::string many = base;
  for (size_t at; (at = many.find(" currencyID=\"EUR\"")) != std::string::npos;) {
    many.erase(at, std::string(" currencyID=\"EUR\"").size());
  }
  auto findings = (*set)->Validate(many);
  ASSERT_TRUE(findings.has_value()) << findings.error().ToString();
  ASSERT_EQ(findings->size(), 3u);
  EXPECT_NE((*findings)[2].message.find("more than 2 schema errors; the check stopped here"),
            std::string::npos);
  auto all = SharedSchemas()->Validate(many);
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->size(), 12u);  // the shared set's default limit is 1000
}

TEST(SchemaSetTest, ValidatesOnSeveralThreadsWithOneSet) {
  const SchemaSet* set = SharedSchemas();
  ASSERT_NE(set, nullptr);
  std::vector<std::string> documents = {
      BaseInvoice(), ReadFile(Example("en16931/ubl/ubl-tc434-creditnote1.xml")),
      ReadFile(Example("en16931/cii/CII_example2.xml")),
      ReadFile(Example("peppol/national-examples/GR/GR-base-example-correct.xml"))};
  for (const BrokenCase& c : BrokenCases()) documents.push_back(c.mutate(BaseInvoice()));
  std::vector<std::vector<Finding>> expected;
  for (const std::string& d : documents) {
    auto findings = set->Validate(d);
    ASSERT_TRUE(findings.has_value());
    expected.push_back(*findings);
  }
  const auto same = [](const std::vector<Finding>& a, const std::vector<Finding>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i].location != b[i].location || a[i].message != b[i].message) return false;
    }
    return true;
  };
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 10; ++round) {
        for (size_t i = 0; i < documents.size(); ++i) {
          const size_t d = (i + static_cast<size_t>(t)) % documents.size();
          auto findings = set->Validate(documents[d]);
          if (!findings.has_value() || !same(*findings, expected[d])) ++mismatches[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace gw::formats::xsd
