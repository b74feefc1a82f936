#include "formats/xml/xml_writer.h"

#include <libxml/xmlwriter.h>

namespace gw::formats::xml {
namespace {

const xmlChar* X(const char* s) { return reinterpret_cast<const xmlChar*>(s); }

}  // namespace

XmlWriter::XmlWriter(bool indent) {
  buffer_ = xmlBufferCreateSize(16 * 1024);
  if (buffer_ == nullptr) {
    failed_ = true;
    return;
  }
  writer_ = xmlNewTextWriterMemory(buffer_, 0);
  if (writer_ == nullptr) {
    failed_ = true;
    return;
  }
  if (indent) {
    Check(xmlTextWriterSetIndent(writer_, 1));
    Check(xmlTextWriterSetIndentString(writer_, X("  ")));
  }
  Check(xmlTextWriterStartDocument(writer_, "1.0", "UTF-8", nullptr));
}

XmlWriter::~XmlWriter() {
  if (writer_ != nullptr) xmlFreeTextWriter(writer_);
  if (buffer_ != nullptr) xmlBufferFree(buffer_);
}

void XmlWriter::Check(int rc) {
  if (rc < 0) failed_ = true;
}

void XmlWriter::Start(const char* name) {
  if (failed_) return;
  Check(xmlTextWriterStartElement(writer_, X(name)));
}

void XmlWriter::End() {
  if (failed_) return;
  Check(xmlTextWriterEndElement(writer_));
}

void XmlWriter::Attribute(const char* name, std::string_view value) {
  if (failed_) return;
  scratch_.assign(value);
  Check(xmlTextWriterWriteAttribute(writer_, X(name), X(scratch_.c_str())));
}

void XmlWriter::Text(std::string_view text) {
  if (failed_) return;
  scratch_.assign(text);
  Check(xmlTextWriterWriteString(writer_, X(scratch_.c_str())));
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
  std::string text;
  value.AppendTo(text);
  Start(name);
  if (attr != nullptr && !attr_value.empty()) Attribute(attr, attr_value);
  Text(text);
  End();
}

Result<std::string> XmlWriter::Finish() {
  if (!failed_) Check(xmlTextWriterEndDocument(writer_));
  if (!failed_) Check(xmlTextWriterFlush(writer_));
  if (failed_) return Error::Internal("libxml2 failed to write the XML document");
  return std::string(reinterpret_cast<const char*>(xmlBufferContent(buffer_)),
                     static_cast<size_t>(xmlBufferLength(buffer_)));
}

}  // namespace gw::formats::xml
