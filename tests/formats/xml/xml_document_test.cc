#include "formats/xml/xml_document.h"

#include <gtest/gtest.h>

#include <string>

namespace gw::formats::xml {
namespace {

std::string RuleOf(const Result<Document>& r) {
  if (r.has_value() || r.error().findings().empty()) return "";
  return r.error().findings()[0].rule;
}
std::string MessageOf(const Result<Document>& r) {
  if (r.has_value() || r.error().findings().empty()) return "";
  return r.error().findings()[0].message;
}

TEST(XmlDocumentTest, BuildsNodesInDocumentOrderWithSharedUblNames) {
  auto doc = Document::Parse(
      "<?xml version=\"1.0\"?>\n"
      "<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\"\n"
      "  xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">\n"
      "  <cbc:ID>A&amp;1</cbc:ID><cbc:Note>x<![CDATA[<y>]]>z</cbc:Note>\n"
      "  <cbc:PayableAmount currencyID=\"EUR\">10.00</cbc:PayableAmount>\n"
      "</Invoice>");
  ASSERT_TRUE(doc.has_value()) << doc.error().ToString();
  NodeId root = doc->document_element();
  ASSERT_NE(root, kNoNode);
  EXPECT_EQ(doc->local_name(root), "Invoice");
  EXPECT_EQ(doc->namespace_uri(root), kUblInvoiceNs);
  NameId id_name = NameTable::Shared().Find(kCbcNs, "ID");
  ASSERT_NE(id_name, kNoName);
  NodeId id = doc->Child(root, id_name);
  ASSERT_NE(id, kNoNode);
  EXPECT_EQ(doc->StringValue(id), "A&1");
  EXPECT_EQ(doc->node(id).line, 4u);
  NodeId note = doc->Child(root, NameTable::Shared().Find(kCbcNs, "Note"));
  EXPECT_EQ(doc->StringValue(note), "x<y>z");
  NodeId amount = doc->Child(root, NameTable::Shared().Find(kCbcNs, "PayableAmount"));
  NodeId currency = doc->Attribute(amount, NameTable::Shared().Find("", "currencyID"));
  ASSERT_NE(currency, kNoNode);
  EXPECT_EQ(doc->node(currency).value, "EUR");
  EXPECT_GT(currency, amount);  // attributes follow their element in document order
  EXPECT_GT(doc->LastDescendant(root), amount);
  // A name outside UBL gets a document-local id.
  auto other = Document::Parse("<x:a xmlns:x=\"urn:other\"><x:b/></x:a>");
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->local_name(other->document_element()), "a");
  EXPECT_EQ(other->FindName("urn:other", "b"), other->node(other->node(other->document_element()).first_child).name);
}

TEST(XmlDocumentTest, DecodesReferencesInAttributeValues) {
  auto doc = Document::Parse("<a n=\"Bank &amp; Co &lt;1&gt; &#38; &#x26;amp; &quot;q&quot;\"/>");
  ASSERT_TRUE(doc.has_value());
  NodeId attribute = doc->node(doc->document_element()).first_attribute;
  ASSERT_NE(attribute, kNoNode);
  EXPECT_EQ(doc->node(attribute).value, "Bank & Co <1> & &amp; \"q\"");
}

TEST(XmlDocumentTest, RefusesEveryDoctypeBeforeReadingIt) {
  // Billion laughs: refused at the DOCTYPE, no expansion happens.
  std::string bomb = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">";
  for (int i = 1; i < 10; ++i) {
    bomb += "<!ENTITY lol" + std::to_string(i) + " \"";
    for (int j = 0; j < 10; ++j) bomb += "&lol" + (i == 1 ? std::string() : std::to_string(i - 1)) + ";";
    bomb += "\">";
  }
  bomb += "]><lolz>&lol9;</lolz>";
  auto r = Document::Parse(bomb);
  EXPECT_EQ(RuleOf(r), "xml.doctype");
  EXPECT_NE(MessageOf(r).find("Remove the DOCTYPE"), std::string::npos);
  // XXE against a local file, and an external DTD.
  EXPECT_EQ(RuleOf(Document::Parse("<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>")),
            "xml.doctype");
  EXPECT_EQ(RuleOf(Document::Parse("<!DOCTYPE a SYSTEM \"http://example.com/a.dtd\"><a/>")), "xml.doctype");
  // An undeclared entity without any DOCTYPE is a syntax error.
  auto undeclared = Document::Parse("<a>&x;</a>");
  EXPECT_EQ(RuleOf(undeclared), "xml.syntax");
  EXPECT_NE(MessageOf(undeclared).find("predefined entities"), std::string::npos) << MessageOf(undeclared);
}

TEST(XmlDocumentTest, XIncludeIsNotProcessed) {
  auto doc = Document::Parse(
      "<a xmlns:xi=\"http://www.w3.org/2001/XInclude\"><xi:include href=\"/etc/passwd\" parse=\"text\"/></a>");
  ASSERT_TRUE(doc.has_value());
  NodeId include = doc->node(doc->document_element()).first_child;
  EXPECT_EQ(doc->local_name(include), "include");
  EXPECT_EQ(doc->node(include).first_child, kNoNode);
  EXPECT_EQ(doc->StringValue(doc->document_element()), "");
}

TEST(XmlDocumentTest, EnforcesLimits) {
  ParseLimits limits;
  limits.max_depth = 50;
  std::string deep;
  for (int i = 0; i < 60; ++i) deep += "<a>";
  for (int i = 0; i < 60; ++i) deep += "</a>";
  EXPECT_EQ(RuleOf(Document::Parse(deep, limits)), "xml.limit");
  // Far deeper than libxml2's own limit of 256: refused, not a stack overflow.
  std::string very_deep;
  for (int i = 0; i < 100000; ++i) very_deep += "<a>";
  EXPECT_FALSE(Document::Parse(very_deep).has_value());

  limits = {};
  limits.max_text_bytes = 1000;
  EXPECT_EQ(RuleOf(Document::Parse("<a>" + std::string(5000, 'x') + "</a>", limits)), "xml.limit");
  EXPECT_EQ(RuleOf(Document::Parse("<a b=\"" + std::string(5000, 'x') + "\"/>", limits)), "xml.limit");
  limits = {};
  limits.max_bytes = 100;
  EXPECT_EQ(RuleOf(Document::Parse("<a>" + std::string(200, 'x') + "</a>", limits)), "xml.limit");
  limits = {};
  limits.max_nodes = 10;
  std::string many = "<a>";
  for (int i = 0; i < 20; ++i) many += "<b/>";
  many += "</a>";
  EXPECT_EQ(RuleOf(Document::Parse(many, limits)), "xml.limit");
}

TEST(XmlDocumentTest, ReportsMalformedInputWithLine) {
  auto bad_utf8 = Document::Parse("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a>\xC3\x28</a>");
  EXPECT_EQ(RuleOf(bad_utf8), "xml.syntax");
  EXPECT_NE(MessageOf(bad_utf8).find("line 2"), std::string::npos) << MessageOf(bad_utf8);
  auto unclosed = Document::Parse("<a>\n<b>\n</a>");
  EXPECT_EQ(RuleOf(unclosed), "xml.syntax");
  EXPECT_NE(MessageOf(unclosed).find("line 3"), std::string::npos) << MessageOf(unclosed);
  EXPECT_EQ(RuleOf(Document::Parse("")), "xml.syntax");
  EXPECT_EQ(RuleOf(Document::Parse("just text")), "xml.syntax");
  EXPECT_EQ(RuleOf(Document::Parse("<a/><b/>")), "xml.syntax");
}

}  // namespace
}  // namespace gw::formats::xml
