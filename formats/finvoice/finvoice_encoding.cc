#include "formats/finvoice/finvoice_encoding.h"

#include <cctype>
#include <cstdint>
#include <cstdio>

namespace gw::formats::finvoice::internal {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// Decodes the UTF-8 sequence at text[i]; advances i past it. False (i unchanged) when the bytes
// there are not a shortest-form sequence of a Unicode scalar value.
bool DecodeUtf8(std::string_view text, size_t& i, uint32_t& cp) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    cp = b0;
    ++i;
    return true;
  }
  size_t n;
  uint32_t min;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 1, cp = b0 & 0x1F, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 2, cp = b0 & 0x0F, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 3, cp = b0 & 0x07, min = 0x10000;
  } else {
    return false;
  }
  for (size_t k = 1; k <= n; ++k) {
    if (i + k >= text.size() || (byte(i + k) & 0xC0) != 0x80) return false;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  i += n + 1;
  return true;
}

std::string Hex(unsigned char b) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "0x%02X", b);
  return buf;
}

size_t LineAt(std::string_view text, size_t offset, size_t first_line) {
  size_t line = first_line;
  for (size_t k = 0; k < offset && k < text.size(); ++k) {
    if (text[k] == '\n') ++line;
  }
  return line;
}

Error EncodingError(std::string message) {
  return Error::InvalidInput(
      "the document's bytes do not match its declared encoding",
      {Finding{"finvoice.encoding", Finding::Severity::kFatal, "/", std::move(message)}});
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// The ISO-8859-15 byte of code point `cp`, or -1 when Latin-9 has no such character.
int Latin9Byte(uint32_t cp) {
  if (cp < 0x80) return static_cast<int>(cp);
  switch (cp) {
    case 0x20AC:
      return 0xA4;  // euro sign
    case 0x0160:
      return 0xA6;
    case 0x0161:
      return 0xA8;
    case 0x017D:
      return 0xB4;
    case 0x017E:
      return 0xB8;
    case 0x0152:
      return 0xBC;
    case 0x0153:
      return 0xBD;
    case 0x0178:
      return 0xBE;
    // The Latin-1 characters that Latin-9 replaced by the ones above.
    case 0xA4:
    case 0xA6:
    case 0xA8:
    case 0xB4:
    case 0xB8:
    case 0xBC:
    case 0xBD:
    case 0xBE:
      return -1;
    default:
      break;
  }
  return cp >= 0xA0 && cp <= 0xFF ? static_cast<int>(cp) : -1;
}

void AppendReference(std::string& out, uint32_t cp) {
  out += "&#";
  out += std::to_string(cp);
  out += ';';
}

}  // namespace

std::string DeclaredEncoding(std::string_view text) {
  if (text.substr(0, kBom.size()) == kBom) text.remove_prefix(kBom.size());
  if (text.substr(0, 5) != "<?xml") return {};
  size_t end = text.find("?>");
  if (end == std::string_view::npos) return {};
  std::string_view decl = text.substr(0, end);
  size_t at = decl.find("encoding");
  if (at == std::string_view::npos) return {};
  at = decl.find_first_of("\"'", at);
  if (at == std::string_view::npos) return {};
  size_t close = decl.find(decl[at], at + 1);
  if (close == std::string_view::npos) return {};
  return std::string(decl.substr(at + 1, close - at - 1));
}

Result<std::string> CheckEncoding(std::string_view text, size_t first_line) {
  const std::string declared = DeclaredEncoding(text);
  const std::string upper = Upper(declared);
  if (upper.empty() || upper == "UTF-8" || upper == "UTF8") {
    // XML without a declaration is UTF-8 (XML 1.0, 4.3.3).
    for (size_t i = 0; i < text.size();) {
      uint32_t cp;
      if (DecodeUtf8(text, i, cp)) continue;
      const auto b = static_cast<unsigned char>(text[i]);
      std::string hint = b >= 0xA0 ? " (in ISO-8859-15 it would be a Latin letter or sign: the "
                                     "file looks like Latin-1/Latin-9 text)"
                                   : "";
      return EncodingError(
          "the document is UTF-8 (" +
          std::string(declared.empty() ? "no encoding declared" : "declared '" + declared + "'") +
          "), but the byte " + Hex(b) + " at offset " + std::to_string(i) + " (line " +
          std::to_string(LineAt(text, i, first_line)) + ") does not begin a UTF-8 character" +
          hint +
          ": declare encoding=\"ISO-8859-15\" if that is the file's encoding, or convert the file "
          "to UTF-8");
    }
    return std::string("UTF-8");
  }
  if (upper != "ISO-8859-15" && upper != "ISO8859-15" && upper != "ISO-8859-1" &&
      upper != "ISO8859-1") {
    return EncodingError("the document declares the encoding '" + declared +
                         "'; Finvoice documents are UTF-8 or ISO-8859-15: convert the file to one "
                         "of them and declare it");
  }
  const std::string canonical =
      upper.find("15") != std::string::npos ? "ISO-8859-15" : "ISO-8859-1";
  // UTF-8 text under a Latin declaration: every non-ASCII byte is part of a well-formed
  // multi-byte sequence. Genuine Latin text practically never has that shape (an accented letter
  // followed by a symbol or a C1 byte), so it is refused rather than read as mojibake.
  size_t first_multibyte = std::string_view::npos;
  bool all_utf8 = true;
  for (size_t i = 0; i < text.size() && all_utf8;) {
    uint32_t cp;
    size_t at = i;
    if (!DecodeUtf8(text, i, cp)) {
      all_utf8 = false;
    } else if (cp >= 0x80 && first_multibyte == std::string_view::npos) {
      first_multibyte = at;
    }
  }
  if (all_utf8 && first_multibyte != std::string_view::npos) {
    size_t k = first_multibyte;
    std::string bytes = Hex(static_cast<unsigned char>(text[k])) + " " +
                        Hex(static_cast<unsigned char>(text[k + 1]));
    return EncodingError(
        "the document declares " + declared + ", but its text is UTF-8: the bytes " + bytes +
        " at offset " + std::to_string(k) + " (line " +
        std::to_string(LineAt(text, k, first_line)) + ") are one UTF-8 character, which " +
        canonical + " would read as two: declare encoding=\"UTF-8\"");
  }
  for (size_t i = 0; i < text.size(); ++i) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b >= 0x80 && b <= 0x9F) {
      return EncodingError("the document declares " + declared + ", but the byte " + Hex(b) +
                           " at offset " + std::to_string(i) + " (line " +
                           std::to_string(LineAt(text, i, first_line)) +
                           ") is a C1 control code there, not a character of text (Windows-1252 or "
                           "UTF-8 bytes?): convert the file to " +
                           canonical + " or to UTF-8 and declare that");
    }
  }
  return canonical;
}

Result<std::string> ToLatin9Document(std::string_view utf8_xml) {
  std::string out;
  out.reserve(utf8_xml.size());
  constexpr std::string_view kUtf8Declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
  if (utf8_xml.substr(0, kUtf8Declaration.size()) == kUtf8Declaration) {
    out += "<?xml version=\"1.0\" encoding=\"ISO-8859-15\"?>";
    utf8_xml.remove_prefix(kUtf8Declaration.size());
  }
  for (size_t i = 0; i < utf8_xml.size();) {
    uint32_t cp;
    size_t at = i;
    if (!DecodeUtf8(utf8_xml, i, cp)) {
      return Error::InvalidArgument("text to be written is not valid UTF-8 (byte " +
                                    Hex(static_cast<unsigned char>(utf8_xml[at])) + " at offset " +
                                    std::to_string(at) + ")");
    }
    int b = Latin9Byte(cp);
    if (b >= 0) {
      out.push_back(static_cast<char>(b));
    } else {
      AppendReference(out, cp);
    }
  }
  return out;
}

Result<std::string> ToAsciiMarkup(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (size_t i = 0; i < utf8.size();) {
    uint32_t cp;
    size_t at = i;
    if (!DecodeUtf8(utf8, i, cp)) {
      return Error::InvalidArgument("text to be written is not valid UTF-8 (byte " +
                                    Hex(static_cast<unsigned char>(utf8[at])) + " at offset " +
                                    std::to_string(at) + ")");
    }
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else {
      AppendReference(out, cp);
    }
  }
  return out;
}

}  // namespace gw::formats::finvoice::internal
