#include "certs/xmldsig/document_outline.h"

#include "formats/xml/xml_text.h"

namespace gw::certs {
namespace {

using formats::xml::text::npos;
using formats::xml::text::IsSpace;
using formats::xml::text::RawAttribute;
using formats::xml::text::Tag;
using formats::xml::text::Scanner;

// The namespace URI `prefix` has from the declarations of `tags` (innermost last).
bool ResolvePrefix(std::string_view prefix, const std::vector<const Tag*>& tags, std::string_view& uri) {
  for (size_t t = tags.size(); t-- > 0;) {
    for (const RawAttribute& a : tags[t]->attributes) {
      if (prefix.empty() ? a.name == "xmlns" : (a.name.size() == prefix.size() + 6 && a.name.substr(0, 6) == "xmlns:" &&
                                                 a.name.substr(6) == prefix)) {
        uri = a.value;
        return true;
      }
    }
  }
  uri = {};
  return prefix.empty();
}

// Past the comment, CDATA section or processing instruction at `pos`; `pos` itself when none
// starts there; npos when it is not well formed.
size_t SkipMarkup(Scanner& scan, std::string_view xml, size_t pos) {
  if (scan.StartsWith(pos, "<!--")) return scan.SkipComment(pos);
  if (scan.StartsWith(pos, "<![CDATA[")) {
    const size_t end = xml.find("]]>", pos);
    return end == npos ? npos : end + 3;
  }
  if (scan.StartsWith(pos, "<?")) {
    std::string_view target, data;
    return scan.ReadPi(pos, target, data);
  }
  return pos;
}

std::string_view PrefixOf(std::string_view qname) {
  size_t colon = qname.find(':');
  return colon == npos ? std::string_view() : qname.substr(0, colon);
}

}  // namespace

bool OutlineDocument(std::string_view xml, DocumentOutline& out) {
  out = DocumentOutline{};
  Scanner scan(xml, nullptr);
  size_t pos = 0;
  if (!scan.SkipDeclaration(pos)) return false;
  // The prologue: white space, comments and processing instructions.
  for (;;) {
    scan.SkipSpace(pos);
    if (pos >= xml.size() || xml[pos] != '<') return false;
    if (scan.StartsWith(pos, "<!--")) {
      pos = scan.SkipComment(pos);
    } else if (scan.StartsWith(pos, "<?")) {
      std::string_view target, data;
      pos = scan.ReadPi(pos, target, data);
    } else if (scan.StartsWith(pos, "<!")) {
      return false;
    } else {
      break;
    }
    if (pos == npos) return false;
  }
  Tag root;
  if (!scan.ReadTag(pos, root) || root.empty) return false;
  out.root_qname = root.qname;
  if (!ResolvePrefix(PrefixOf(root.qname), {&root}, out.root_ns)) return false;
  out.root_content = root.end;

  // The end of the document: the last end tag, after which only white space, comments and
  // processing instructions follow.
  size_t end = xml.size();
  for (;;) {
    while (end > 0 && IsSpace(xml[end - 1])) --end;
    std::string_view head = xml.substr(0, end);
    size_t open = npos;
    if (head.size() >= 3 && head.substr(head.size() - 3) == "-->") open = head.rfind("<!--");
    else if (head.size() >= 2 && head.substr(head.size() - 2) == "?>") open = head.rfind("<?");
    if (open == npos) break;
    end = open;
  }
  if (end == 0 || xml[end - 1] != '>') return false;
  size_t last = xml.rfind("</", end - 1);
  if (last == npos || last < out.root_content) return false;
  size_t p = last + 2;
  if (scan.Name(p) != root.qname) return false;
  out.root_end_tag = last;

  // The first child element of the root, and the end of its subtree.
  for (pos = root.end; pos < last;) {
    pos = xml.find('<', pos);
    if (pos == npos || pos >= last) break;
    const size_t skipped = SkipMarkup(scan, xml, pos);
    if (skipped != pos) {
      pos = skipped;
    } else if (scan.StartsWith(pos, "<!") || scan.StartsWith(pos, "</")) {
      return false;  // a stray declaration or end tag before the first child: leave it to the parser
    } else {
      Tag child;
      if (!scan.ReadTag(pos, child)) return false;
      out.first_child = pos;
      out.first_child_qname = child.qname;
      if (!ResolvePrefix(PrefixOf(child.qname), {&root, &child}, out.first_child_ns)) return false;
      if (child.empty) return true;
      // Its end tag: count depth over the tags that follow.
      int depth = 1;
      size_t q = child.end;
      while (depth > 0) {
        q = xml.find('<', q);
        if (q == npos || q >= last) return false;
        const size_t past = SkipMarkup(scan, xml, q);
        if (past != q) {
          q = past;
        } else if (scan.StartsWith(q, "</")) {
          if (--depth == 0) {
            out.first_child_end_tag = q;
            return true;
          }
          q = xml.find('>', q);
        } else {
          Tag t;
          if (!scan.ReadTag(q, t)) return false;
          if (!t.empty) ++depth;
          q = t.end;
        }
        if (q == npos) return false;
      }
      return false;
    }
    if (pos == npos) return false;
  }
  return true;  // no child element
}

}  // namespace gw::certs
