// The text reader against libxml2's path: whenever the reader accepts a document, libxml2 must
// accept it too and build the very same Document.
#include "formats/xml/text_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "tests/formats/test_invoices.h"

namespace gw::formats::xml {
namespace {

namespace fs = std::filesystem;

std::string Describe(const Document& doc, NodeId i) {
  const Node& n = doc.node(i);
  return "{kind " + std::to_string(static_cast<int>(n.kind)) + ", name " + std::to_string(n.name) +
         " {" + std::string(doc.namespace_uri(i)) + "}" + std::string(doc.local_name(i)) +
         ", parent " + std::to_string(n.parent) + ", first_child " + std::to_string(n.first_child) +
         ", next_sibling " + std::to_string(n.next_sibling) + ", first_attribute " +
         std::to_string(n.first_attribute) + ", line " + std::to_string(n.line) +
         ", last_descendant " + std::to_string(n.last_descendant) + ", value \"" +
         std::string(n.value) + "\"}";
}

// "" when the two documents are the same node for node; else the first difference.
std::string Difference(const Document& fast, const Document& slow) {
  if (fast.size() != slow.size()) {
    return "node counts differ: " + std::to_string(fast.size()) + " (text reader) vs " +
           std::to_string(slow.size());
  }
  for (NodeId i = 0; i < fast.size(); ++i) {
    const Node& a = fast.node(i);
    const Node& b = slow.node(i);
    if (a.kind != b.kind || a.name != b.name || a.parent != b.parent ||
        a.first_child != b.first_child || a.next_sibling != b.next_sibling ||
        a.first_attribute != b.first_attribute || a.line != b.line ||
        a.last_descendant != b.last_descendant || a.value != b.value ||
        fast.local_name(i) != slow.local_name(i) ||
        fast.namespace_uri(i) != slow.namespace_uri(i)) {
      return "node " + std::to_string(i) + ": text reader " + Describe(fast, i) + ", libxml2 " +
             Describe(slow, i);
    }
  }
  return "";
}

struct Verdict {
  bool text_path = false;  // the text reader accepted the document
  bool libxml2 = false;    // libxml2 accepted it
  std::string problem;     // "" when the rule holds
};

Verdict Check(std::string_view xml, const ParseLimits& limits = {}) {
  Verdict v;
  std::optional<Document> fast = TextReader::Read(xml, limits, NameTable::Shared());
  Result<Document> slow = ParseWithLibxml2(xml, limits, NameTable::Shared());
  v.text_path = fast.has_value();
  v.libxml2 = slow.has_value();
  if (!fast) return v;
  if (!slow) {
    v.problem = "the text reader accepts what libxml2 refuses: " + slow.error().ToString();
  } else {
    v.problem = Difference(*fast, *slow);
  }
  return v;
}

std::vector<fs::path> XmlFiles(const fs::path& root) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    std::string ext = it->path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (it->is_regular_file() && ext == ".xml") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(TextReaderTest, AgreesWithLibxml2OnEverySharedAndFixtureFile) {
  std::vector<fs::path> files = XmlFiles(EIGW_SHARED_DIR);
  for (const fs::path& p : XmlFiles(fs::path(EIGW_SOURCE_DIR) / "tests")) files.push_back(p);
  ASSERT_GT(files.size(), 100u);
  size_t text_path = 0, libxml2 = 0;
  for (const fs::path& path : files) {
    const std::string xml = testing::ReadFile(path);
    const Verdict v = Check(xml);
    EXPECT_EQ(v.problem, "") << path;
    text_path += v.text_path;
    libxml2 += v.libxml2;
    if (v.libxml2 && !v.text_path) std::printf("  libxml2 path: %s\n", path.c_str());
  }
  std::printf("%zu files: %zu well-formed, %zu read by the text reader\n", files.size(), libxml2,
              text_path);
  EXPECT_GE(text_path * 10, libxml2 * 9);  // nearly all well-formed files take the text path
}

std::string Nested(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += "<e>";
  for (int i = 0; i < depth; ++i) s += "</e>";
  return s;
}

struct Case {
  const char* name;
  std::string xml;
  bool text_path;  // whether the text reader is expected to take it
};

TEST(TextReaderTest, AgreesWithLibxml2OnEachConstruct) {
  const std::string ubl = "xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\"";
  const std::string cbc =
      "xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\"";
  const std::vector<Case> cases = {
      {"plain", "<a><b>x</b></a>", true},
      {"declaration", "<?xml version=\"1.0\"?><a/>", true},
      {"declaration naming UTF-8", "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<a/>",
       true},
      {"declaration naming utf8", "<?xml version=\"1.0\" encoding=\"utf8\"?><a/>", true},
      {"declaration 1.1", "<?xml version=\"1.1\"?><a/>", true},
      {"declaration naming Latin-1", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xE9</a>",
       false},
      {"declaration without space", "<?xml version=\"1.0\"encoding=\"UTF-8\"?><a/>", false},
      {"declaration not first", " <?xml version=\"1.0\"?><a/>", false},
      {"byte-order mark", "\xEF\xBB\xBF<a/>", true},
      {"byte-order mark and declaration",
       "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<a/>", true},
      {"UTF-16", std::string("\xFF\xFE<\0a\0/\0>\0", 10), false},
      {"DOCTYPE", "<!DOCTYPE a><a/>", false},
      {"DOCTYPE with entity", "<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>", false},
      {"white space around the root", "\n\t <!-- c --> <?pi x?>\r\n<a/>\n <!--d-->\n", true},
      {"text after the root", "<a/>x", false},
      {"two roots", "<a/><b/>", false},
      {"no root", "<!-- c -->", false},
      {"unclosed root", "<a><b></b>", false},
      {"mismatched tags", "<a><b></a></b>", false},
      {"end tag with space", "<a><b></b \n></a>", true},
      {"end tag prefix of name", "<ab></a></ab>", false},
      {"entities in text", "<a>&lt;&gt;&amp;&quot;&apos;x&amp;y</a>", true},
      {"character references", "<a>&#65;&#x42;&#x0043;&#233;&#x20AC;&#x1F600;&#128512;</a>", true},
      {"character reference to CR", "<a>x&#13;y&#xD;&#10;</a>", true},
      {"undeclared entity", "<a>&nbsp;</a>", false},
      {"malformed references", "<a>&#x;&#;&amp</a>", false},
      {"reference to NUL", "<a>&#0;</a>", false},
      {"reference to a surrogate", "<a>&#xD800;</a>", false},
      {"reference out of range", "<a>&#x110000;</a>", false},
      {"upper-case X reference", "<a>&#X41;</a>", false},
      {"CDATA next to text", "<a>x<![CDATA[<y>&amp;]]>z<![CDATA[]]>w</a>", true},
      {"CDATA only", "<a><![CDATA[ ]]></a>", true},
      {"empty CDATA only", "<a><![CDATA[]]></a>", true},
      {"CDATA with CR LF", "<a><![CDATA[1\r\n2\r3]]></a>", true},
      {"CDATA outside the root", "<![CDATA[x]]><a/>", false},
      {"]]> in text", "<a>x]]>y</a>", false},
      {"]] and > apart", "<a>x]]&gt;]] >]></a>", true},
      {"]]> after CDATA", "<a><![CDATA[x]]>]]></a>", false},
      {"> right after CDATA", "<a><![CDATA[x]]>>y</a>", true},
      {"comments and PIs between text", "<a>x<!-- c -->y<?pi data?>z<b/>w<!---->v</a>", true},
      {"comment with --", "<a><!-- a -- b --></a>", false},
      {"comment ending in ---", "<a><!-- a ---></a>", false},
      {"PI named xml", "<a><?xml x?></a>", false},
      {"PI named XmL", "<a><?XmL x?></a>", false},
      {"PI without space", "<a><?pi?></a>", true},
      {"PI target glued to data", "<a><?pi\"x\"?></a>", false},
      {"attributes", "<a x=\"1\" y='2' z = \"&lt;&amp;&#38;&#x26;amp;&quot;'\"/>", true},
      {"attribute normalization", "<a x=\"1\t2\n3\r\n4\r5  6\" y=\"&#9;&#10;&#13;&#32;\"/>", true},
      {"attribute with >", "<a x=\"a>b\"/>", true},
      {"attribute with <", "<a x=\"a<b\"/>", false},
      {"attribute without space", "<a x=\"1\"y=\"2\"/>", false},
      {"duplicate attribute", "<a x=\"1\" x=\"2\"/>", false},
      {"duplicate expanded attribute",
       "<a xmlns:p=\"urn:x\" xmlns:q=\"urn:x\" p:x=\"1\" q:x=\"2\"/>", false},
      {"same local name, other namespace", "<a xmlns:p=\"urn:x\" p:x=\"1\" x=\"2\"/>", true},
      {"duplicate declaration", "<a xmlns:p=\"urn:x\" xmlns:p=\"urn:y\"/>", false},
      {"default namespace", "<a " + ubl + "><b x=\"1\"/></a>", true},
      {"prefixed namespaces", "<Invoice " + ubl + " " + cbc + "><cbc:ID>1</cbc:ID></Invoice>",
       true},
      {"default namespace undeclared", "<a xmlns=\"urn:x\"><b xmlns=\"\"><c/></b><d/></a>", true},
      {"namespace redeclared", "<p:a xmlns:p=\"urn:x\"><p:b xmlns:p=\"urn:y\"/><p:c/></p:a>", true},
      {"undeclared prefix", "<p:a/>", false},
      {"undeclared attribute prefix", "<a p:x=\"1\"/>", false},
      {"prefix undeclared", "<a xmlns:p=\"\"/>", false},
      {"xml prefix", "<a xml:lang=\"en\" xml:space=\"preserve\"/>", true},
      {"xml prefix on an element", "<xml:a><xml:b/></xml:a>", true},
      {"xml prefix declared", "<a xmlns:xml=\"http://www.w3.org/XML/1998/namespace\"/>", false},
      {"xmlns prefix used", "<xmlns:a/>", false},
      {"relative namespace", "<a xmlns=\"x\"/>", false},
      {"namespace with reference", "<a xmlns=\"urn:a&amp;b\"/>", false},
      {"QName with two colons", "<a:b:c xmlns:a=\"urn:x\"/>", false},
      // Found by the mutation test: libxml2 reads these as unprefixed names.
      {"attribute local part starting with '-'", "<a xmlns:p=\"urn:x\" p:-b=\"1\"/>", false},
      {"element local part starting with a digit", "<p:1a xmlns:p=\"urn:x\"/>", false},
      {"non-ASCII name", "<\xC3\xA9/>", false},
      {"non-ASCII text", "<a>\xC3\xA9t\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80</a>", true},
      {"malformed UTF-8", "<a>\xC3</a>", false},
      {"overlong UTF-8", "<a>\xC0\xAF</a>", false},
      {"UTF-8 surrogate", "<a>\xED\xA0\x80</a>", false},
      {"U+FFFE", "<a>\xEF\xBF\xBE</a>", false},
      {"control character", "<a>\x01</a>", false},
      {"NUL", std::string("<a>x\0y</a>", 9), false},
      {"DEL", "<a>\x7F</a>", true},
      {"CR LF in text", "<a>\r\n x\r\ny\rz\r\r\n</a>", true},
      {"CR LF then non-ASCII", "<a>\r\n\xC3\xA9\r\n</a>", true},
      {"CR LF in tags", "<a\r\nx=\"1\"\r\n>\r\n<b\r\n/>\r\n</a\r\n>", true},
      {"lone CR lines", "<a>\r<b/>\r\r<c/></a>", true},
      {"white-space text nodes", "<a>\n  <b> </b>\n  <c>\t</c>\n</a>", true},
      {"text split by comment", "<a>\n<!-- c -->\n  x\n</a>", true},
      {"line of a multi-line tag", "<a>\n<b\n x=\"1\"\n\n>t\n</b></a>", true},
      {"line of multi-line text", "<a>\n\n  x\n  y<b/></a>", true},
      {"line of long non-ASCII text",
       "<a>\n" + std::string(40, ' ') + "\xC3\xA9" + std::string(200, 'x') + "\n" +
           std::string(200, 'y') + "\n</a>",
       true},
      {"line of long text after CR LF", "<a>\r\n\xC3\xA9" + std::string(298, 'x') + "\ny\n</a>",
       true},
      {"deep nesting", Nested(200), true},
      {"too deep for libxml2", Nested(300), false},
      {"empty", "", false},
  };
  for (const Case& c : cases) {
    const Verdict v = Check(c.xml);
    EXPECT_EQ(v.problem, "") << c.name;
    EXPECT_EQ(v.text_path, c.text_path) << c.name;
    // What the text reader takes libxml2 takes too; Parse gives the same verdict as libxml2.
    EXPECT_EQ(Document::Parse(c.xml).has_value(), v.libxml2) << c.name;
  }
}

TEST(TextReaderTest, LeavesEachLimitToLibxml2) {
  const std::string xml = "<a x=\"&amp;12345\"><b>123456789</b><c/><c/><d><e/></d></a>";
  struct LimitCase {
    const char* name;
    ParseLimits limits;
  };
  auto with = [](auto set) {
    ParseLimits l;
    set(l);
    return l;
  };
  const std::vector<LimitCase> cases = {
      {"bytes", with([&](ParseLimits& l) { l.max_bytes = xml.size() - 1; })},
      {"depth", with([](ParseLimits& l) { l.max_depth = 2; })},
      {"nodes", with([](ParseLimits& l) { l.max_nodes = 8; })},
      // The attribute value is "&12345" but libxml2 counts the '&' as "&#38;": 10 bytes.
      {"attribute bytes", with([](ParseLimits& l) { l.max_text_bytes = 9; })},
  };
  for (const LimitCase& c : cases) {
    const Verdict v = Check(xml, c.limits);
    EXPECT_FALSE(v.text_path) << c.name;
    auto doc = Document::Parse(xml, c.limits);
    ASSERT_FALSE(doc.has_value()) << c.name;
    EXPECT_EQ(doc.error().findings()[0].rule, "xml.limit") << c.name;
  }
  // Exactly at each limit both paths accept.
  ParseLimits exact;
  exact.max_bytes = xml.size();
  exact.max_depth = 3;
  exact.max_nodes = 9;
  exact.max_text_bytes = 10;
  const Verdict v = Check(xml, exact);
  EXPECT_TRUE(v.text_path);
  EXPECT_TRUE(v.libxml2);
  EXPECT_EQ(v.problem, "");
  // A text node over the limit, merged from pieces.
  ParseLimits text;
  text.max_text_bytes = 5;
  EXPECT_FALSE(Check("<a>12<!---->3&amp;<![CDATA[45]]></a>", text).text_path);
  EXPECT_EQ(Check("<a>12<!---->3&amp;<![CDATA[4]]></a>", text).problem, "");
}

// The sixteen-byte scans (text runs, names, attribute values) and the caches of the text reader,
// at every position of a block and across block ends: each case once as written and once shifted
// by 1 to 17 bytes, so that what it tests falls everywhere in a block and at the end of the text.
TEST(TextReaderTest, AgreesWithLibxml2AtEveryOffsetOfASixteenByteBlock) {
  struct Fragment {
    const char* name;
    std::string body;  // placed in <r> after padding
    bool text_path;
  };
  const std::string ns = " xmlns:p=\"urn:p\" xmlns:q=\"urn:q\"";
  const std::vector<Fragment> fragments = {
      {"plain text", "abcdefghijklmnopqrstuvwxyz0123456789", true},
      {"indentation", "\n    \n\t\n        ", true},
      {"continuation byte", "abc\x80" "def", false},
      {"lone lead byte", "abc\xC3" "def", false},
      {"lead byte at the end of the run", "abc\xC3", false},
      {"truncated 3-byte sequence", "abc\xE2\x82", false},
      {"overlong", "abc\xC0\xAF" "def", false},
      {"surrogate", "abc\xED\xA0\x80" "def", false},
      {"U+FFFF", "abc\xEF\xBF\xBF" "def", false},
      {"beyond U+10FFFF", "abc\xF4\x90\x80\x80" "def", false},
      {"F5", "abc\xF5\x80\x80\x80" "def", false},
      {"good non-ASCII", "abc\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80" "def", true},
      {"NUL", std::string("abc\0def", 7), false},
      {"control character", "abc\x01" "def", false},
      {"escape", "abc\x1B", false},
      {"vertical tab", "abc\x0B", false},
      {"DEL", "abc\x7F", true},
      {"CR", "abc\rdef", true},
      {"CR LF", "abc\r\ndef\r\n", true},
      {">", "abc>def", true},
      {"]]>", "abc]]>def", false},
      {"] ]>", "abc] ]>def", true},
      {"&amp;", "abc&amp;def", true},
      {"bare &", "abc&def", false},
      {"character reference", "abc&#x20AC;&#65;def", true},
      {"child element", "abc<x/>def", true},
      {"stray <", "abc< def", false},
      {"line feeds around a child", "\n\n<x>\n</x>\n\n<y\n/>\n", true},
      {"long name", "<abcdefghijklmnopqrstuvwxyz0123456789-._/>", true},
      {"long prefixed name", "<p:abcdefghijklmnopqrstuvwxyz0123456789/>", true},
      {"name with two colons", "<p:abcdefghijklm:nopqrstuvwxyz/>", false},
      {"name ending in a colon", "<p:/>", false},
      {"local part starting with a digit", "<p:1abcdefghijklmnopqrstuvwxyz/>", false},
      {"name then non-ASCII", "<abcdefghijklmnopq\xC3\xA9/>", false},
      {"name with a slash", "<abc/def/>", false},
      {"end tag name too short", "<abcdefghijklmnopq></abcdefghijklmnop>", false},
      {"end tag name too long", "<abcdefghijklmnop></abcdefghijklmnopq>", false},
      {"end tag with space", "<abcdefghijklmnop></abcdefghijklmnop\n >", true},
      {"attributes", "<x a=\"abcdefghijklmnopqrstuvwxyz\" p:b='1\t2\n3\r\n4' q:c=\"&lt;\"/>", true},
      {"attribute with >", "<x a=\"abcdefghijklmnop>qrstuvwxyz\"/>", true},
      {"attribute with <", "<x a=\"abcdefghijklmnop<qrstuvwxyz\"/>", false},
      {"attribute with bad UTF-8", "<x a=\"abcdefghijklmnop\xC3qrstuvwxyz\"/>", false},
      {"attribute with control", "<x a=\"abcdefghijklmnop\x02qrstuvwxyz\"/>", false},
      {"attribute with other quote", "<x a='abcdefghijklmnop\"qrstuvwxyz'/>", true},
      {"unclosed attribute", "<x a=\"abcdefghijklmnopqrstuvwxyz/>", false},
      {"duplicate attribute", "<x p:a=\"1\" p:a=\"2\"/>", false},
      {"qualified names seen before", "<p:x p:x=\"1\" x=\"2\"><p:x/><x p:x=\"3\"/></p:x>", true},
      {"element prefix redeclared below", "<p:x/><y xmlns:p=\"urn:other\"><p:x/></y><p:x/>", true},
      {"attribute prefix redeclared below", "<x p:x=\"1\"/><y xmlns:p=\"urn:other\"><x p:x=\"2\"/></y><x p:x=\"3\"/>", true},
      {"prefix redeclared below", "<p:x/><y xmlns:p=\"urn:other\"><p:x p:x=\"1\"/></y><p:x/>", true},
      {"default namespace below", "<x/><y xmlns=\"urn:d\"><x x=\"1\"/></y><x/>", true},
      {"prefix undeclared below", "<p:x/><y xmlns:q=\"urn:other\"><q:x/></y><z:x/>", false},
      {"CDATA", "<![CDATA[abc\r\ndef<&>]]>ghi", true},
      {"comment", "abc<!-- d\ne -->fgh", true},
  };
  for (const Fragment& f : fragments) {
    for (size_t shift = 0; shift <= 17; ++shift) {
      // Padding before the fragment moves it through a block; the same text at the very end of
      // the document checks the scans' ends (the element closes right after it).
      const std::string xml =
          "<r" + ns + ">" + std::string(shift, 'x') + f.body + "</r>";
      const Verdict v = Check(xml);
      EXPECT_EQ(v.problem, "") << f.name << ", shifted by " << shift;
      EXPECT_EQ(v.text_path, f.text_path) << f.name << ", shifted by " << shift;
      const std::string tail = "<r" + ns + ">" + std::string(shift, ' ') + f.body;
      const Verdict t = Check(tail);
      EXPECT_EQ(t.problem, "") << f.name << " at the end, shifted by " << shift;
      EXPECT_FALSE(t.text_path) << f.name << " at the end, shifted by " << shift;
    }
  }
}

// A byte that ends or breaks a text run at every offset of a long one, and runs ending exactly
// where the document does.
TEST(TextReaderTest, ReadsEveryByteOfALongTextRun) {
  const std::vector<std::pair<std::string, bool>> bytes = {
      {"<", false},  {"&", false},    {">", true},     {"\x80", false}, {"\xC3", false},
      {std::string(1, '\0'), false}, {"\x1F", false}, {"\r", true},    {"\n", true},    {"\t", true},
      {"\xC3\xA9", true}, {"\xFF", false}, {"&lt;", true}, {"]]>", false}};
  for (const auto& [byte, accepted] : bytes) {
    for (size_t at = 0; at < 40; ++at) {
      std::string run(48, 'a');
      for (size_t i = 5; i < run.size(); i += 7) run[i] = '\n';
      run.insert(at, byte);
      const std::string xml = "<r>" + run + "</r>";
      const Verdict v = Check(xml);
      EXPECT_EQ(v.problem, "") << "byte " << ::testing::PrintToString(byte) << " at " << at;
      EXPECT_EQ(v.text_path, accepted) << "byte " << ::testing::PrintToString(byte) << " at " << at;
      // The root left open: the run meets the end of the document.
      EXPECT_FALSE(Check("<r>" + run).text_path) << ::testing::PrintToString(byte) << " at " << at;
    }
  }
}

// Random byte edits of real invoices: whatever the text reader accepts, libxml2 accepts and reads
// the same. GW_TEXT_READER_FUZZ sets the number of mutants per invoice (default 1500).
TEST(TextReaderTest, AgreesWithLibxml2OnMutatedInvoices) {
  const fs::path examples = fs::path(EIGW_SHARED_DIR) / "conformance" / "examples" / "en16931";
  const std::vector<std::string> bases = {
      testing::ReadFile(examples / "ubl" / "ubl-tc434-example1.xml"),
      testing::ReadFile(examples / "cii" / "CII_business_example_01.xml")};
  const char* env = std::getenv("GW_TEXT_READER_FUZZ");
  const size_t rounds = env != nullptr ? std::strtoul(env, nullptr, 10) : 1500;
  static const std::vector<std::string> kPieces = {"<",
                                                   ">",
                                                   "&",
                                                   ";",
                                                   "\"",
                                                   "'",
                                                   "=",
                                                   "/",
                                                   "!",
                                                   "?",
                                                   "-",
                                                   "[",
                                                   "]",
                                                   "#",
                                                   "x",
                                                   ":",
                                                   " ",
                                                   "\t",
                                                   "\r",
                                                   "\n",
                                                   "\r\n",
                                                   "\x7F",
                                                   "\x80",
                                                   "\xC3",
                                                   "\xFF",
                                                   "\xC3\xA9",
                                                   "\xF0\x9F\x98\x80",
                                                   "\xED\xA0\x80",
                                                   std::string(1, '\0'),
                                                   "&amp;",
                                                   "&#x1F600;",
                                                   "&#13;",
                                                   "&#0;",
                                                   "&nbsp;",
                                                   "<![CDATA[",
                                                   "]]>",
                                                   "<!--",
                                                   "-->",
                                                   "<?pi ?>",
                                                   "xmlns=\"\"",
                                                   " xmlns:p=\"urn:p\"",
                                                   " p:a=\"1\"",
                                                   "<b/>",
                                                   "</b>",
                                                   "<!DOCTYPE a>",
                                                   "\xEF\xBB\xBF"};
  size_t accepted = 0, text_path = 0;
  for (size_t b = 0; b < bases.size(); ++b) {
    ASSERT_FALSE(bases[b].empty());
    std::mt19937 random(20261128 + static_cast<unsigned>(b));
    for (size_t round = 0; round < rounds; ++round) {
      std::string xml = bases[b];
      const int edits = 1 + static_cast<int>(random() % 3);
      for (int e = 0; e < edits; ++e) {
        const size_t at = random() % (xml.size() + 1);
        const std::string& piece = kPieces[random() % kPieces.size()];
        switch (random() % 3) {
          case 0:
            xml.insert(at, piece);
            break;
          case 1:
            xml.erase(at, 1 + random() % 4);
            break;
          default:
            xml.replace(at, std::min<size_t>(piece.size(), xml.size() - std::min(at, xml.size())),
                        piece);
        }
      }
      const Verdict v = Check(xml);
      accepted += v.libxml2;
      text_path += v.text_path;
      ASSERT_EQ(v.problem, "") << "mutant " << round << " of base " << b << ":\n" << xml;
    }
  }
  std::printf("%zu mutants: %zu well-formed, %zu read by the text reader\n", 2 * rounds, accepted,
              text_path);
  EXPECT_GT(text_path, 0u);
}

}  // namespace
}  // namespace gw::formats::xml
