#include "formats/finvoice/finvoice_read_context.h"

#include <algorithm>

#include "formats/finvoice/finvoice_values.h"

namespace gw::formats::finvoice::internal {
namespace {

// The text as quoted in a message: at most 60 bytes, white space runs collapsed, so that a
// hostile megabyte is not echoed.
std::string Shown(std::string_view text) {
  std::string out;
  for (char c : text) {
    bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    bool char_start = (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (char_start && out.size() >= 400) break;
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (CharCount(out) > 60) out = FirstChars(out, 57) + "...";
  return out;
}

}  // namespace

ReadContext::ReadContext(const xml::Document& doc, std::vector<Finding>* losses)
    : doc_(doc), losses_(losses), read_(doc.size(), false) {}

void ReadContext::Consume(NodeId element) {
  if (element == kNoNode) return;
  NodeId last = doc_.LastDescendant(element);
  for (NodeId n = element; n <= last; ++n) read_[n] = true;
}

std::string ReadContext::Text(NodeId element) {
  if (element == kNoNode) return {};
  Consume(element);
  return Peek(element);
}

std::string ReadContext::Peek(NodeId element) const {
  if (element == kNoNode) return {};
  std::string scratch;
  return std::string(Trimmed(doc_.StringValue(element, scratch)));
}

std::string ReadContext::Attribute(NodeId element, NameId name) const {
  if (element == kNoNode) return {};
  NodeId a = doc_.Attribute(element, name);
  return a == kNoNode ? std::string() : std::string(doc_.node(a).value);
}

std::optional<Decimal> ReadContext::Number(NodeId element) {
  if (element == kNoNode) return std::nullopt;
  std::string text = Text(element);
  auto value = ParseNumber(text);
  if (!value) {
    Add("finvoice.number", element, value.error().message());
    return std::nullopt;
  }
  return *value;
}

std::optional<Decimal> ReadContext::Amount(NodeId element) {
  std::optional<Decimal> value = Number(element);
  if (!value) return value;
  std::string currency = Attribute(element, N().AmountCurrencyIdentifier);
  if (!currency_.empty() && !currency.empty() && currency != currency_) {
    std::string shown = value->ToString();
    std::replace(shown.begin(), shown.end(), '.', ',');
    Lost(element, "the amount " + shown + " is in " + currency + ", not in the invoice currency " +
                      currency_ +
                      " (BT-5); EN16931 has one currency per invoice, so it is read as " +
                      currency_);
  }
  return value;
}

std::optional<Date> ReadContext::DateOf(NodeId element) {
  if (element == kNoNode) return std::nullopt;
  std::string text = Text(element);
  std::string format = Attribute(element, N().Format);
  if (format != "CCYYMMDD") {
    Add("finvoice.date", element,
        "the date '" + Shown(text) + "' has Format='" + format +
            "'; Finvoice dates are Format=\"CCYYMMDD\"");
    return std::nullopt;
  }
  auto date = ParseDate(text);
  if (!date) {
    Add("finvoice.date", element, date.error().message());
    return std::nullopt;
  }
  return *date;
}

void ReadContext::Add(std::string rule, NodeId node, std::string message) {
  findings_.emplace_back(
      node, Finding{std::move(rule), Finding::Severity::kFatal, Path(node), std::move(message)});
}

Error ReadContext::UnreadableValues() {
  std::stable_sort(findings_.begin(), findings_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Finding> out;
  for (auto& [node, finding] : findings_) out.push_back(std::move(finding));
  size_t n = out.size();
  findings_.clear();
  return Error::InvalidInput("the Finvoice document has " + std::to_string(n) +
                                 (n == 1 ? " unreadable value" : " unreadable values"),
                             std::move(out));
}

void ReadContext::Lost(NodeId node, std::string message) {
  if (losses_ != nullptr) {
    losses_->push_back(
        Finding{"finvoice.lost", Finding::Severity::kWarning, Path(node), std::move(message)});
  }
}

void ReadContext::ReportUnread(NodeId root) {
  if (losses_ == nullptr || root == kNoNode) return;
  // touched[n]: n or a node of its subtree was read. Children follow their parent in node order,
  // so one backward pass carries the mark up.
  std::vector<bool> touched(read_);
  for (NodeId n = static_cast<NodeId>(doc_.size()); n-- > 1;) {
    if (touched[n] && doc_.node(n).parent != kNoNode) touched[doc_.node(n).parent] = true;
  }
  ReportUnreadChildren(root, touched);
}

void ReadContext::ReportUnreadChildren(NodeId element, const std::vector<bool>& touched) {
  for (NodeId c = doc_.node(element).first_child; c != kNoNode; c = doc_.node(c).next_sibling) {
    if (doc_.node(c).kind != xml::NodeKind::kElement || read_[c]) continue;
    if (touched[c]) {
      ReportUnreadChildren(c, touched);  // depth is bounded by the parser's limit
      continue;
    }
    std::string scratch;
    std::string text = Shown(doc_.StringValue(c, scratch));
    if (text.empty()) continue;  // an empty element carries nothing
    Lost(c, "Finvoice " + std::string(doc_.local_name(c)) + " ('" + text +
                "') has no place in the EN16931 model; it is not read");
  }
}

std::string ReadContext::Path(NodeId node) const { return xml::ElementPath(doc_, node); }

}  // namespace gw::formats::finvoice::internal
