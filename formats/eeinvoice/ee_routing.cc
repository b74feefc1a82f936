// Routing data of the Estonian e-invoice file: defaults from the invoice, checks of what the
// format requires.
#include <array>

#include "formats/eeinvoice/ee_internal.h"

namespace gw::formats::ee {
namespace internal {
namespace {

void Required(std::vector<Finding>& out, std::string_view key, std::string_view element, const std::string& value,
              std::string_view how) {
  if (value.empty()) {
    out.push_back(Finding{"ee.routing", Finding::Severity::kFatal, std::string(key),
                          "routing key '" + std::string(key) + "' (" + std::string(element) + ") is missing; " +
                              std::string(how)});
  }
}

void MaxLength(std::vector<Finding>& out, std::string_view key, std::string_view element, const std::string& value,
               size_t limit) {
  if (Utf8Length(value) > limit) {
    out.push_back(Finding{"ee.routing", Finding::Severity::kFatal, std::string(key),
                          "routing key '" + std::string(key) + "' (" + std::string(element) + ") '" + value +
                              "' has " + std::to_string(Utf8Length(value)) + " characters; at most " +
                              std::to_string(limit) + " are allowed"});
  }
}

void YesNo(std::vector<Finding>& out, std::string_view key, std::string_view element, const std::string& value) {
  if (!value.empty() && value != "YES" && value != "NO") {
    out.push_back(Finding{"ee.routing", Finding::Severity::kFatal, std::string(key),
                          "routing key '" + std::string(key) + "' (" + std::string(element) + ") is '" + value +
                              "'; it must be YES or NO"});
  }
}

}  // namespace

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool PaymentDescriptionCharacters(std::string_view s) {
  // [#x20-#xFF] plus Š š Ž ž, in UTF-8.
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp;
    size_t len;
    if (c < 0x80) {
      cp = c, len = 1;
    } else if ((c & 0xE0) == 0xC0 && i + 1 < s.size()) {
      cp = ((c & 0x1F) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3F), len = 2;
    } else if ((c & 0xF0) == 0xE0 && i + 2 < s.size()) {
      cp = ((c & 0x0F) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3F) << 6) |
           (static_cast<unsigned char>(s[i + 2]) & 0x3F);
      len = 3;
    } else {
      return false;
    }
    if (!((cp >= 0x20 && cp <= 0xFF) || cp == 0x160 || cp == 0x161 || cp == 0x17D || cp == 0x17E)) return false;
    i += len;
  }
  return true;
}

std::vector<Finding> CheckHeader(const FileHeader& h) {
  std::vector<Finding> out;
  if (!h.date) {
    out.push_back(Finding{"ee.routing", Finding::Severity::kFatal, "date",
                          "routing key 'date' (Header/Date) is missing; give the file's date as YYYY-MM-DD"});
  }
  Required(out, "file_id", "Header/FileId", h.file_id,
           "give the file a unique identifier of at most 20 characters (the receiver uses it to detect duplicates)");
  MaxLength(out, "file_id", "Header/FileId", h.file_id, 20);
  MaxLength(out, "app_id", "Header/AppId", h.app_id, 20);
  MaxLength(out, "sender_id", "Header/SenderId", h.sender_id, 20);
  MaxLength(out, "receiver_id", "Header/ReceiverId", h.receiver_id, 20);
  MaxLength(out, "contract_id", "Header/ContractId", h.contract_id, 20);
  MaxLength(out, "payee_account_number", "Header/PayeeAccountNumber", h.payee_account_number, 35);
  return out;
}

std::vector<Finding> CheckInvoiceRouting(const InvoiceRouting& r, const FileHeader& header) {
  std::vector<Finding> out;
  Required(out, "invoice_id", "Invoice/@invoiceId", r.invoice_id, "it defaults to the invoice number (BT-1)");
  Required(out, "reg_number", "Invoice/@regNumber", r.reg_number,
           "give the buyer's registry code or personal identification code (it defaults to the buyer's legal "
           "registration identifier, BT-47, when the invoice has one of at most 15 characters)");
  Required(out, "seller_reg_number", "Invoice/@sellerRegnumber", r.seller_reg_number,
           "give the seller's registry code (it defaults to the seller's legal registration identifier, BT-30, when "
           "the invoice has one of at most 15 characters)");
  MaxLength(out, "invoice_id", "Invoice/@invoiceId", r.invoice_id, 100);
  MaxLength(out, "reg_number", "Invoice/@regNumber", r.reg_number, 15);
  MaxLength(out, "seller_reg_number", "Invoice/@sellerRegnumber", r.seller_reg_number, 15);
  MaxLength(out, "service_id", "Invoice/@serviceId", r.service_id, 20);
  MaxLength(out, "channel_id", "Invoice/@channelId", r.channel_id, 10);
  MaxLength(out, "channel_address", "Invoice/@channelAddress", r.channel_address, 100);
  YesNo(out, "presentment", "Invoice/@presentment", r.presentment);
  YesNo(out, "factoring", "Invoice/@factoring", r.factoring);
  if (!r.language_id.empty() &&
      (r.language_id.size() != 2 || r.language_id[0] < 'a' || r.language_id[0] > 'z' || r.language_id[1] < 'a' ||
       r.language_id[1] > 'z')) {
    out.push_back(Finding{"ee.routing", Finding::Severity::kFatal, "language_id",
                          "routing key 'language_id' (Invoice/@languageId) '" + r.language_id +
                              "' must be two lower-case letters (ISO 639-1, e.g. et, en)"});
  }
  if (header.app_id == "EARVE") {
    const std::string how = "an e-invoice to an internet bank (app_id EARVE) is delivered only with the buyer's bank "
                            "(channel_id, its BIC) and the address there (channel_address)";
    Required(out, "channel_id", "Invoice/@channelId", r.channel_id, how);
    Required(out, "channel_address", "Invoice/@channelAddress", r.channel_address, how);
  }
  return out;
}

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

xml::NodeId Nav::Child(xml::NodeId parent, std::string_view local) const {
  if (parent == xml::kNoNode) return xml::kNoNode;
  for (xml::NodeId c = doc_.node(parent).first_child; c != xml::kNoNode; c = doc_.node(c).next_sibling) {
    if (doc_.node(c).kind == xml::NodeKind::kElement && doc_.local_name(c) == local) return c;
  }
  return xml::kNoNode;
}

std::string Nav::Text(xml::NodeId element) const {
  if (element == xml::kNoNode) return {};
  std::string scratch;
  return std::string(Trim(doc_.StringValue(element, scratch)));
}

std::string Nav::Attr(xml::NodeId element, std::string_view local) const {
  if (element == xml::kNoNode) return {};
  for (xml::NodeId a = doc_.node(element).first_attribute; a != xml::kNoNode; a = doc_.node(a).next_sibling) {
    if (doc_.local_name(a) == local && doc_.namespace_uri(a).empty()) return std::string(Trim(doc_.node(a).value));
  }
  return {};
}

std::optional<Decimal> Nav::NumberOrNothing(xml::NodeId element) const {
  if (element == xml::kNoNode) return std::nullopt;
  auto d = Decimal::Parse(Text(element));
  if (!d) return std::nullopt;
  return *d;
}

std::string Nav::Path(xml::NodeId node) const { return xml::ElementPath(doc_, node); }

}  // namespace internal

Result<Batch> BatchFromRouting(const Routing& routing, const model::Invoice& invoice) {
  return BatchFromRouting(routing, std::vector<model::Invoice>{invoice});
}

Result<Batch> BatchFromRouting(const Routing& routing, const std::vector<model::Invoice>& invoices) {
  static constexpr std::array<std::string_view, 20> kKeys = {
      "test", "date", "file_id", "app_id", "sender_id", "receiver_id", "contract_id", "payee_account_number",
      "invoice_id", "reg_number", "seller_reg_number", "service_id", "channel_id", "channel_address",
      "presentment", "factoring", "template_id", "language_id", "invoice_glob_uniq_id", "seller_contract_id"};
  // Keys that name one invoice or one buyer: with several invoices each takes its own default.
  static constexpr std::array<std::string_view, 5> kOneInvoice = {"invoice_id", "reg_number", "service_id",
                                                                  "channel_address", "invoice_glob_uniq_id"};
  if (invoices.empty()) return Error::InvalidArgument("an Estonian e-invoice file needs at least one invoice");
  std::vector<Finding> problems;
  for (const auto& [key, value] : routing) {
    bool known = false;
    for (std::string_view k : kKeys) known = known || k == key;
    if (!known) {
      std::string list;
      for (std::string_view k : kKeys) list += (list.empty() ? "" : ", ") + std::string(k);
      problems.push_back(Finding{"ee.routing", Finding::Severity::kFatal, key,
                                 "unknown routing key '" + key + "' for the Estonian e-invoice; known keys: " + list});
    }
    for (std::string_view k : kOneInvoice) {
      if (k == key && invoices.size() > 1) {
        problems.push_back(Finding{"ee.routing", Finding::Severity::kFatal, key,
                                   "routing key '" + key + "' names one invoice or buyer; with " +
                                       std::to_string(invoices.size()) +
                                       " invoices in the file each takes its own from the invoice (see "
                                       "docs/formats/ee-einvoice.md)"});
      }
    }
  }
  auto get = [&](std::string_view key) {
    auto it = routing.find(key);
    return it == routing.end() ? std::string() : it->second;
  };
  const model::Invoice& first = invoices.front();
  Batch batch;
  FileHeader& h = batch.header;
  const std::string test = get("test");
  if (test == "yes" || test == "YES" || test == "true") {
    h.test = true;
  } else if (!test.empty() && test != "no" && test != "NO" && test != "false") {
    problems.push_back(Finding{"ee.routing", Finding::Severity::kFatal, "test",
                               "routing key 'test' (Header/Test) is '" + test + "'; it must be yes or no"});
  }
  const std::string date = get("date");
  if (date.empty()) {
    h.date = first.issue_date;
  } else if (auto d = Date::Parse(date)) {
    h.date = *d;
  } else {
    problems.push_back(Finding{"ee.routing", Finding::Severity::kFatal, "date",
                               "routing key 'date' (Header/Date) '" + date + "' is not a date YYYY-MM-DD"});
    h.date = first.issue_date;  // reported once, not again as missing
  }
  h.file_id = get("file_id");
  h.app_id = get("app_id");
  h.sender_id = get("sender_id");
  h.receiver_id = get("receiver_id");
  h.contract_id = get("contract_id");
  h.payee_account_number = get("payee_account_number");
  for (Finding& f : internal::CheckHeader(h)) problems.push_back(std::move(f));

  // Defaults from the invoice, when they fit the attribute (RegType: at most 15 characters);
  // otherwise the key is missing and its finding says so.
  auto fits = [](const std::string& v) { return v.size() <= 15 ? v : std::string(); };
  for (size_t i = 0; i < invoices.size(); ++i) {
    const model::Invoice& invoice = invoices[i];
    InvoiceRouting r;
    r.invoice_id = routing.count("invoice_id") ? get("invoice_id") : invoice.number;
    r.reg_number = get("reg_number");
    if (r.reg_number.empty()) r.reg_number = fits(invoice.buyer.legal_registration_id.value);
    if (r.reg_number.empty() && !invoice.buyer.identifiers.empty()) r.reg_number = fits(invoice.buyer.identifiers[0].value);
    r.seller_reg_number = get("seller_reg_number");
    if (r.seller_reg_number.empty()) r.seller_reg_number = fits(invoice.seller.legal_registration_id.value);
    r.service_id = get("service_id");
    r.channel_id = get("channel_id");
    r.channel_address = get("channel_address");
    r.presentment = get("presentment");
    r.factoring = get("factoring");
    r.template_id = get("template_id");
    r.language_id = get("language_id");
    r.invoice_glob_uniq_id = get("invoice_glob_uniq_id");
    r.seller_contract_id = get("seller_contract_id");
    for (Finding& f : internal::CheckInvoiceRouting(r, h)) {
      if (invoices.size() > 1) f.location = "invoices/" + std::to_string(i) + "/" + f.location;
      problems.push_back(std::move(f));
    }
    if (i > 0 && r.seller_reg_number != batch.invoices[0].routing.seller_reg_number) {
      problems.push_back(Finding{"ee.routing", Finding::Severity::kFatal,
                                 "invoices/" + std::to_string(i) + "/seller_reg_number",
                                 "invoice " + invoice.number + " is from seller " + r.seller_reg_number +
                                     ", the file's first invoice from " + batch.invoices[0].routing.seller_reg_number +
                                     "; an Estonian e-invoice file holds the invoices of one seller"});
    }
    batch.invoices.push_back(BatchInvoice{invoice, std::move(r)});
  }
  if (!problems.empty()) {
    return Error::InvalidInput("the routing data for the Estonian e-invoice is incomplete or invalid", std::move(problems));
  }
  return batch;
}

}  // namespace gw::formats::ee
