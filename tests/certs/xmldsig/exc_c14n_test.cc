// The text canonicalizer (certs/xmldsig/exc_c14n.h) against libxml2's exclusive c14n, which the
// xmlsec path and every independent verifier use: on every XML sample of ../shared, on documents
// made to hit each rule of C14N, and on thousands of mutants. What it accepts must give the same
// bytes as libxml2, and it must never accept a document libxml2 refuses.
#include <gtest/gtest.h>
#include <libxml/c14n.h>

#include <filesystem>
#include <random>
#include <set>

#include "certs/keys/certificate.h"
#include "certs/xmldsig/document_outline.h"
#include "certs/xmldsig/exc_c14n.h"
#include "certs/xmldsig/xmlsec_library.h"
#include "tests/certs/test_pki.h"

namespace gw::certs {
namespace {

using testing::ReadText;

// libxml2's exclusive c14n without comments of `xml` parsed as the signer parses it; nullopt
// when libxml2 refuses the document.
std::optional<std::string> Libxml2C14n(const std::string& xml) {
  InitializeXmlsec();
  auto doc = ParseUntrustedXml(xml);
  if (!doc) return std::nullopt;
  xmlChar* mem = nullptr;
  int n = xmlC14NDocDumpMemory(doc->get(), nullptr, XML_C14N_EXCLUSIVE_1_0, nullptr, 0, &mem);
  if (n < 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(mem), static_cast<size_t>(n));
  xmlFree(mem);
  return out;
}

// Ours must equal libxml2's when it accepts; `accepted` tells whether it did, and `why` why not
// when libxml2 took the document.
void ExpectSameAsLibxml2(const std::string& xml, bool& accepted, const std::string& what, std::string* refused = nullptr) {
  std::string ours, why;
  accepted = ExclusiveC14n(xml, ours, &why);
  std::optional<std::string> theirs = Libxml2C14n(xml);
  if (!accepted) {
    EXPECT_FALSE(why.empty()) << what;
    if (refused != nullptr && theirs.has_value()) *refused = why;
    return;
  }
  ASSERT_TRUE(theirs.has_value()) << what << ": accepted by ours, refused by libxml2:\n" << xml.substr(0, 2000);
  if (ours != *theirs) {
    size_t i = 0;
    while (i < ours.size() && i < theirs->size() && ours[i] == (*theirs)[i]) ++i;
    ADD_FAILURE() << what << ": differs at byte " << i << "\nours:    " << ours.substr(i > 60 ? i - 60 : 0, 160)
                  << "\nlibxml2: " << theirs->substr(i > 60 ? i - 60 : 0, 160);
  }
  // The streaming digest is the digest of the same bytes.
  unsigned char digest[32];
  ASSERT_TRUE(ExclusiveC14nSha256(xml, digest)) << what;
  std::string hex;
  for (unsigned char b : digest) {
    hex += "0123456789abcdef"[b >> 4];
    hex += "0123456789abcdef"[b & 15];
  }
  EXPECT_EQ(hex, Sha256Hex(ours)) << what;
}

TEST(ExcC14nTest, EverySharedSampleCanonicalizesAsLibxml2Does) {
  namespace fs = std::filesystem;
  size_t compared = 0;
  std::set<std::string> refusals;
  for (const char* dir : {"/conformance/examples", "/conformance/tests", "/formats"}) {
    const fs::path root = fs::path(EIGW_SHARED_DIR).concat(dir);
    if (!fs::exists(root)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".xml") continue;
      const std::string xml = ReadText(entry.path().string());
      bool accepted = false;
      std::string why;
      ExpectSameAsLibxml2(xml, accepted, entry.path().string(), &why);
      if (accepted) ++compared;
      if (!why.empty()) refusals.insert(why.substr(0, why.find(" (byte")) + ": " + entry.path().string());

    }
  }
  // The official examples and unit tests alone are several hundred UBL and CII documents.
  EXPECT_GT(compared, 500u);
  // Documents libxml2 canonicalizes are refused only for what the header says it leaves to
  // libxml2.
  for (const std::string& why : refusals) {
    EXPECT_TRUE(why.find("encoding other than UTF-8") != std::string::npos || why.find("DOCTYPE") != std::string::npos ||
                why.find("not an ASCII XML name") != std::string::npos)
        << why;
  }
}

TEST(ExcC14nTest, EachRuleOfTheCanonicalFormMatchesLibxml2) {
  const char* cases[] = {
      // Declaration, comments and processing instructions around the root; a byte-order mark.
      "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!-- c -->\n<?pi one?>\n<r/>\n<?pi two  ?>\n<!-- d -->\n",
      // Empty elements, white space, character and entity references in text.
      "<r>\n  <a/>\t<b></b> x &lt;&gt;&amp;&quot;&apos; &#65;&#x42;&#xD;&#x9;&#xa; &#x10FFFF; > ' \"</r>",
      // Line ends: CR LF and CR alone become LF in text and a space in attributes.
      "<r a=\"1\r\n2\r3\n4\t5\">x\r\ny\rz</r>",
      // Attribute values: references, quotes, tabs and line feeds by reference, '>' kept.
      "<r a='say \"hi\" &amp; &lt; &#9;&#10;&#13; > x' b=\"it&apos;s\"/>",
      // CDATA: escaped as text.
      "<r><![CDATA[a < b && c > d ]] > \r\n e]]>tail</r>",
      // Attribute order: no namespace first, then by namespace URI, then local name.
      "<r xmlns:z=\"urn:a\" xmlns:a=\"urn:z\" b=\"1\" a=\"2\" z:y=\"3\" a:x=\"4\" z:b=\"5\"/>",
      // Exclusive: only visibly used namespaces, rendered where first used.
      "<r xmlns=\"urn:d\" xmlns:p=\"urn:p\" xmlns:q=\"urn:q\"><p:a><b/><p:c q:at=\"1\"/></p:a><q:d/></r>",
      // The default namespace undeclared inside a default namespace, and declared again.
      "<r xmlns=\"urn:d\"><a xmlns=\"\"><b xmlns=\"urn:d\"/><c/></a></r>",
      // xmlns=\"\" where no default was rendered: nothing to render.
      "<r><a xmlns=\"\"/></r>",
      // A prefix rebound to another URI inside, and back.
      "<p:r xmlns:p=\"urn:1\"><p:a xmlns:p=\"urn:2\"><p:b xmlns:p=\"urn:1\"/></p:a></p:r>",
      // The same binding declared again below: not rendered twice.
      "<p:r xmlns:p=\"urn:1\"><p:a xmlns:p=\"urn:1\"/></p:r>",
      // A prefix used only by an attribute; xml:lang is not a namespace to render.
      "<r xmlns:p=\"urn:p\" xml:lang=\"et\"><a p:x=\"1\" xml:space=\"preserve\"/></r>",
      // Processing instructions and comments inside the root.
      "<r>a<!-- c -->b<?t  data here ?>c<?t?></r>",
      // Non-ASCII text and attribute values.
      "<r a=\"Ääkköset € 𝄞\">Õun € 𝄞 ☃</r>",
      // Namespace URIs that are not URLs; single quotes on declarations.
      "<r xmlns:x='urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2'><x:a/></r>",
      // Many sibling elements with the same prefix each render the declaration.
      "<r xmlns:c=\"urn:c\" xmlns:b=\"urn:b\"><c:a><b:x>1</b:x><b:y>2</b:y></c:a><b:z/></r>",
      // White space inside tags.
      "<r  a = \"1\"\n\tb='2' ><a\n/></r\n>",
  };
  for (const char* xml : cases) {
    bool accepted = false;
    ExpectSameAsLibxml2(xml, accepted, xml);
    EXPECT_TRUE(accepted) << xml;
  }
}

TEST(ExcC14nTest, RefusesWhatItLeavesToLibxml2AndWhatIsNotWellFormed) {
  const char* cases[] = {
      "<!DOCTYPE r [<!ENTITY e \"x\">]><r>&e;</r>",
      "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r/>",
      "<r>&nbsp;</r>",
      "<r><a></b></r>",
      "<r><a></r>",
      "<r>",
      "<p:r/>",
      "<r p:a=\"1\"/>",
      "<r a=\"1\" a=\"2\"/>",
      "<r xmlns:p=\"urn:x\" xmlns:q=\"urn:x\" p:a=\"1\" q:a=\"2\"/>",
      "<r a=\"<\"/>",
      "<r a=1/>",
      "<r>\x01</r>",
      "<r>\xC3\x28</r>",
      "<r>\xED\xA0\x80</r>",
      "<r a=\"\xFF\"/>",
      "<r>a]]>b</r>",
      "<r><!-- a -- b --></r>",
      "<r/><r/>",
      "text<r/>",
      "<r/>text",
      "",
      "<r>&#0;</r>",
      "<r>&#xD800;</r>",
      "<r>&#x110000;</r>",
      "<r><?xml version=\"1.0\"?></r>",
      "<r xmlns:p=\"\"/>",
      "<r xmlns:xmlns=\"urn:x\"/>",
      "<r xmlns:xml=\"urn:x\"/>",
      "<a:b:c xmlns:a=\"urn:a\"/>",
      "<:r/>",
      "<r:/>",
      "<r><![CDATA[x</r>",
      "<r a=\"1\"b=\"2\"/>",
  };
  for (const char* xml : cases) {
    std::string out, why;
    EXPECT_FALSE(ExclusiveC14n(xml, out, &why)) << xml;
    EXPECT_FALSE(why.empty()) << xml;
  }
}

// Random byte-level mutations of a real invoice: every mutant ours accepts, libxml2 accepts too
// and canonicalizes to the same bytes.
TEST(ExcC14nTest, MutantsNeverAcceptedWhenLibxml2RefusesThemAndAgreeOtherwise) {
  const std::string base = ReadText(testing::UblInvoicePath());
  ASSERT_FALSE(base.empty());
  const std::string inserts[] = {"<", ">", "&", "\"", "'", ":", "\r", "\r\n", "\t", "]]>", "&amp;", "&#x41;",
                                 "<!--x-->", "<![CDATA[<&>]]>", "<?p d?>", "\xC3", "\xE2\x82\xAC", "\x01", "/",
                                 "xmlns:q=\"urn:q\" ", " q:a=\"1\"", "=", "<a/>", "</a>", "xmlns=\"\" "};
  std::mt19937 rng(20261128);
  size_t accepted_count = 0;
  for (int i = 0; i < 8000; ++i) {
    std::string m = base;
    const int edits = rng() % 4 == 0 ? 2 : 1;
    for (int e = 0; e < edits; ++e) {
      const size_t at = rng() % m.size();
      switch (rng() % 3) {
        case 0: m.erase(at, 1 + rng() % 4); break;
        case 1: m.insert(at, inserts[rng() % std::size(inserts)]); break;
        default: m[at] = static_cast<char>(rng() % 256); break;
      }
    }
    bool accepted = false;
    ExpectSameAsLibxml2(m, accepted, "mutant " + std::to_string(i));
    if (::testing::Test::HasFailure()) return;
    accepted_count += accepted ? 1 : 0;
  }
  // Many mutants stay well formed (changed text, values, white space): the comparison bites.
  EXPECT_GT(accepted_count, 1000u);
}

TEST(ExcC14nTest, OutlineFindsTheRootItsFirstChildAndItsEnd) {
  const std::string xml =
      "<?xml version=\"1.0\"?>\n<!-- head -->\n<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\" "
      "xmlns:ext=\"urn:e\">\n  <ext:UBLExtensions a='>'><ext:UBLExtension><!-- </x> --><![CDATA[</y>]]></ext:UBLExtension>"
      "</ext:UBLExtensions><ID>1</ID></Invoice>\n<!-- tail -->\n<?pi x?>\n";
  DocumentOutline o;
  ASSERT_TRUE(OutlineDocument(xml, o));
  EXPECT_EQ(o.root_qname, "Invoice");
  EXPECT_EQ(o.root_ns, "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2");
  EXPECT_EQ(xml.substr(o.first_child, 19), "<ext:UBLExtensions ");
  EXPECT_EQ(o.first_child_ns, "urn:e");
  EXPECT_EQ(xml.substr(o.first_child_end_tag, 20), "</ext:UBLExtensions>");
  EXPECT_EQ(xml.substr(o.root_end_tag, 10), "</Invoice>");
  EXPECT_EQ(xml.substr(o.root_content - 1, 3), ">\n ");

  DocumentOutline none;
  EXPECT_FALSE(OutlineDocument("<r/>", none));                       // nowhere to put a child
  EXPECT_FALSE(OutlineDocument("<!DOCTYPE r><r></r>", none));        // left to libxml2
  EXPECT_FALSE(OutlineDocument("<r></s>", none));                    // the end is not the root's
  ASSERT_TRUE(OutlineDocument("<r>text</r>", none));
  EXPECT_EQ(none.first_child, std::string_view::npos);
}

}  // namespace
}  // namespace gw::certs
