#include "formats/xml/xml_writer.h"

#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

namespace gw::formats::xml {
namespace {

// Parses `xml` with libxml2 and returns the text of the first element named `name`, or
// "<not well-formed>" — the independent check of the writer's output.
std::string ParsedText(const std::string& xml, const char* name, const char* attr = nullptr) {
  xmlDocPtr doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "t.xml", nullptr,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == nullptr) return "<not well-formed>";
  std::string result = "<missing>";
  for (xmlNodePtr n = xmlDocGetRootElement(doc)->children; n != nullptr; n = n->next) {
    if (n->type == XML_ELEMENT_NODE && std::string(reinterpret_cast<const char*>(n->name)) == name) {
      xmlChar* v = attr ? xmlGetProp(n, reinterpret_cast<const xmlChar*>(attr)) : xmlNodeGetContent(n);
      result = v ? reinterpret_cast<const char*>(v) : "<null>";
      xmlFree(v);
      break;
    }
  }
  xmlFreeDoc(doc);
  return result;
}

TEST(XmlWriterTest, EscapedTextAndAttributesRoundTripThroughLibxml2) {
  const std::string nasty[] = {"a & b", "<tag>", "]]>", "\"quoted\" 'single'", "tab\there",
                               "line1\nline2", "cr\rhere", "P\xC3\xB5hja \xE2\x82\xAC \xF0\x9F\x98\x80",
                               "&amp; already", "<![CDATA[x]]>", "<!-- c -->", "<?pi?>"};
  for (const std::string& s : nasty) {
    XmlWriter w(false);
    w.Start("root");
    w.Start("t");
    w.Attribute("a", s);
    w.Text(s);
    w.End();
    w.End();
    auto xml = w.Finish();
    ASSERT_TRUE(xml.has_value());
    EXPECT_EQ(ParsedText(*xml, "t"), s) << *xml;
    EXPECT_EQ(ParsedText(*xml, "t", "a"), s) << *xml;
  }
}

TEST(XmlWriterTest, IndentsNestedElementsOnly) {
  XmlWriter w;
  w.Start("a");
  w.Start("b");
  w.Leaf("c", "x");
  w.End();
  w.Leaf("d", "y", "k", "v");
  w.End();
  auto xml = w.Finish();
  ASSERT_TRUE(xml.has_value());
  EXPECT_EQ(*xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<a>\n  <b>\n    <c>x</c>\n  </b>\n  <d k=\"v\">y</d>\n</a>\n");
}

TEST(XmlWriterTest, EmptyLeafIsOmittedAndEmptyElementSelfCloses) {
  XmlWriter w(false);
  w.Start("a");
  w.Leaf("skip", "");
  w.Start("e");
  w.End();
  w.End();
  EXPECT_EQ(*w.Finish(), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a><e/></a>\n");
}

TEST(XmlWriterTest, MisuseIsAnErrorNotBrokenXml) {
  {
    XmlWriter w;
    w.Start("a");
    EXPECT_FALSE(w.Finish().has_value());  // left open
  }
  {
    XmlWriter w;
    w.Start("a");
    w.Text("x");
    w.Attribute("late", "v");  // attribute after content
    w.End();
    EXPECT_FALSE(w.Finish().has_value());
  }
  {
    XmlWriter w;
    w.End();  // nothing open
    EXPECT_FALSE(w.Finish().has_value());
  }
}

}  // namespace
}  // namespace gw::formats::xml
