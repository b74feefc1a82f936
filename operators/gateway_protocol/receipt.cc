#include "operators/gateway_protocol/receipt.h"

#include "certs/keys/trust_store.h"
#include "certs/xmldsig/signer.h"
#include "certs/xmldsig/verifier.h"
#include "formats/xml/xml_document.h"
#include "formats/xml/xml_writer.h"

namespace gw::operators {

Result<std::string> WriteReceipt(const ReceiptData& d, const certs::SigningKey* key) {
  formats::xml::XmlWriter w(/*indent=*/false);
  w.Start("Receipt");
  w.Attribute("xmlns", kReceiptNs);
  w.Leaf("MessageId", d.message_id);
  w.Leaf("ReceiverOperator", d.receiver_operator);
  w.Leaf("SenderOperator", d.sender_operator);
  w.Leaf("Recipient", d.recipient);
  w.Leaf("DocumentSha256", d.document_sha256);
  w.Leaf("Disposition", d.disposition);
  w.Leaf("ReceivedAt", d.received_at);
  for (const Finding& f : d.findings) {
    w.Start("Finding");
    w.Attribute("rule", f.rule);
    w.Attribute("severity", f.severity == Finding::Severity::kFatal     ? "fatal"
                            : f.severity == Finding::Severity::kWarning ? "warning"
                                                                        : "information");
    w.Attribute("location", f.location);
    w.Text(f.message);
    w.End();
  }
  w.End();
  auto xml = w.Finish();
  if (!xml || !key) return xml;
  certs::SignOptions options;
  options.profile = certs::SignProfile::kXmlDsig;
  return certs::SignXml(*xml, *key, options);
}

Result<ReceiptData> CheckReceipt(std::string_view xml, const std::string& message_id,
                                 const std::string& document_sha256, const certs::TrustStore* trust) {
  namespace x = formats::xml;
  auto doc = x::Document::Parse(xml);
  if (!doc) return Error::InvalidArgument("the receipt is not well-formed XML: " + doc.error().message());
  x::NodeId root = doc->document_element();
  if (root == x::kNoNode || doc->local_name(root) != "Receipt" || doc->namespace_uri(root) != kReceiptNs)
    return Error::InvalidArgument("the answer's receipt is not a {" + std::string(kReceiptNs) + "}Receipt");
  auto text = [&](std::string_view name) {
    x::NameId id = doc->FindName(kReceiptNs, name);
    x::NodeId n = id == x::kNoName ? x::kNoNode : doc->Child(root, id);
    return n == x::kNoNode ? std::string() : doc->StringValue(n);
  };
  ReceiptData r;
  r.message_id = text("MessageId");
  r.receiver_operator = text("ReceiverOperator");
  r.sender_operator = text("SenderOperator");
  r.recipient = text("Recipient");
  r.document_sha256 = text("DocumentSha256");
  r.disposition = text("Disposition");
  r.received_at = text("ReceivedAt");
  x::NameId finding = doc->FindName(kReceiptNs, "Finding");
  x::NameId rule = doc->FindName("", "rule"), severity = doc->FindName("", "severity"),
            location = doc->FindName("", "location");
  for (x::NodeId n = doc->node(root).first_child; finding != x::kNoName && n != x::kNoNode; n = doc->node(n).next_sibling) {
    const x::Node& node = doc->node(n);
    if (node.kind != x::NodeKind::kElement || node.name != finding) continue;
    auto attr = [&](x::NameId name) {
      x::NodeId a = name == x::kNoName ? x::kNoNode : doc->Attribute(n, name);
      return a == x::kNoNode ? std::string() : std::string(doc->node(a).value);
    };
    std::string sev = attr(severity);
    r.findings.push_back(Finding{attr(rule),
                                 sev == "warning"       ? Finding::Severity::kWarning
                                 : sev == "information" ? Finding::Severity::kInformation
                                                        : Finding::Severity::kFatal,
                                 attr(location), doc->StringValue(n)});
  }
  if (r.message_id != message_id)
    return Error::InvalidArgument("the receipt is for message '" + r.message_id + "', not '" + message_id + "'");
  if (r.document_sha256 != document_sha256)
    return Error::InvalidArgument("the receipt's DocumentSha256 " + r.document_sha256 +
                                  " is not the SHA-256 of the document sent (" + document_sha256 + ")");
  if (trust && !trust->empty()) {
    certs::VerifyOptions options;
    options.trust = trust;
    auto report = certs::VerifyXml(xml, options);
    if (!report) return Error::InvalidArgument("the receipt's signature cannot be checked: " + report.error().message());
    if (!report->valid()) {
      std::string why = "unsigned";
      for (const auto& s : report->signatures)
        for (const auto& f : s.failures) why = f.rule + ": " + f.message;
      for (const auto& f : report->document_failures) why = f.rule + ": " + f.message;
      return Error::InvalidArgument("the receipt's signature does not verify (" + why + ")");
    }
  }
  return r;
}

}  // namespace gw::operators
