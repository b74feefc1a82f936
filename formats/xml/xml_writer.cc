#include "formats/xml/xml_writer.h"

#include <cstring>

namespace gw::formats::xml {

XmlWriter::XmlWriter(bool indent) : indent_(indent) {
  out_.reserve(16 * 1024);
  stack_.reserve(16);
  out_ += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
}

void XmlWriter::Escape(std::string& out, std::string_view text, bool attribute) {
  // Copies runs of ordinary bytes in one append; only the special characters are replaced.
  size_t run = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char* entity = nullptr;
    switch (text[i]) {
      case '&': entity = "&amp;"; break;
      case '<': entity = "&lt;"; break;
      case '>': entity = "&gt;"; break;
      case '"': entity = attribute ? "&quot;" : nullptr; break;
      case '\t': entity = attribute ? "&#9;" : nullptr; break;
      case '\n': entity = attribute ? "&#10;" : nullptr; break;
      case '\r': entity = "&#13;"; break;  // would be normalized away by a parser otherwise
      default: break;
    }
    if (entity != nullptr) {
      out.append(text.data() + run, i - run);
      out += entity;
      run = i + 1;
    }
  }
  out.append(text.data() + run, text.size() - run);
}

void XmlWriter::NewLine() {
  if (!indent_) return;
  out_ += '\n';
  out_.append(2 * stack_.size(), ' ');
}

void XmlWriter::CloseStartTag() {
  if (tag_open_) {
    out_ += '>';
    tag_open_ = false;
  }
}

void XmlWriter::Start(const char* name) {
  CloseStartTag();
  if (!stack_.empty()) stack_.back().has_children = true;
  if (!stack_.empty() || out_.back() != '\n') NewLine();
  out_ += '<';
  out_ += name;
  stack_.push_back({name, false});
  tag_open_ = true;
}

void XmlWriter::Attribute(const char* name, std::string_view value) {
  if (!tag_open_) {
    failed_ = true;
    return;
  }
  out_ += ' ';
  out_ += name;
  out_ += "=\"";
  Escape(out_, value, true);
  out_ += '"';
}

void XmlWriter::Text(std::string_view text) {
  if (stack_.empty()) {
    failed_ = true;
    return;
  }
  CloseStartTag();
  Escape(out_, text, false);
}

void XmlWriter::End() {
  if (stack_.empty()) {
    failed_ = true;
    return;
  }
  Open top = stack_.back();
  stack_.pop_back();
  if (tag_open_) {
    out_ += "/>";
    tag_open_ = false;
    return;
  }
  if (top.has_children) NewLine();
  out_ += "</";
  out_ += top.name;
  out_ += '>';
}

void XmlWriter::Leaf(const char* name, std::string_view text) {
  if (text.empty()) return;
  Start(name);
  Text(text);
  End();
}

void XmlWriter::Leaf(const char* name, std::string_view text, const char* attr,
                     std::string_view value) {
  if (text.empty()) return;
  Start(name);
  if (!value.empty()) Attribute(attr, value);
  Text(text);
  End();
}

void XmlWriter::Leaf(const char* name, std::string_view text, const char* attr1,
                     std::string_view value1, const char* attr2, std::string_view value2) {
  if (text.empty()) return;
  Start(name);
  if (!value1.empty()) Attribute(attr1, value1);
  if (!value2.empty()) Attribute(attr2, value2);
  Text(text);
  End();
}

void XmlWriter::Number(const char* name, const Decimal& value, const char* attr,
                       std::string_view attr_value) {
  Start(name);
  if (attr != nullptr && !attr_value.empty()) Attribute(attr, attr_value);
  CloseStartTag();
  value.AppendTo(out_);  // digits, '-' and '.': nothing to escape
  End();
}

Result<std::string> XmlWriter::Finish() {
  if (failed_ || !stack_.empty()) {
    return Error::Internal("XML writer misuse: " +
                           std::string(stack_.empty() ? "markup outside an element"
                                                      : "element left open: ") +
                           (stack_.empty() ? "" : stack_.back().name));
  }
  out_ += '\n';
  return std::move(out_);
}

}  // namespace gw::formats::xml
