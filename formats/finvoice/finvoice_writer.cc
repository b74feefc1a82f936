#include "formats/finvoice/finvoice_writer.h"

#include <cctype>

#include "formats/finvoice/finvoice_credit_note.h"
#include "formats/finvoice/finvoice_document_writer.h"
#include "formats/finvoice/finvoice_encoding.h"
#include "formats/finvoice/finvoice_envelope.h"

namespace gw::formats::finvoice {

Result<std::string> WriteInvoice(const model::Invoice& invoice, const Transmission& transmission,
                                 const WriteOptions& options, std::vector<Finding>* losses) {
  std::string encoding = options.encoding;
  for (char& c : encoding) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const bool latin9 = encoding == "ISO-8859-15";
  if (!latin9 && encoding != "UTF-8") {
    return Error::InvalidInput(
        "unknown Finvoice output encoding",
        {Finding{"finvoice.encoding", Finding::Severity::kFatal, "/",
                 "the encoding '" + options.encoding +
                     "' is not one Finvoice is written in: choose UTF-8 or ISO-8859-15"}});
  }
  std::vector<Finding> routing = internal::TransmissionFindings(transmission);
  if (!routing.empty()) {
    return Error::InvalidInput("the Finvoice routing is incomplete or invalid", std::move(routing));
  }
  // Finvoice writes a credit note with negative amounts; the model has EN16931's positive ones.
  const model::Invoice* signed_invoice = &invoice;
  model::Invoice negated;
  if (invoice.kind == model::DocumentKind::kCreditNote) {
    negated = invoice;
    internal::NegateAmounts(negated);
    signed_invoice = &negated;
    if (negated.totals.tax_inclusive.is_negative() == false &&
        !negated.totals.tax_inclusive.is_zero() && losses != nullptr) {
      losses->push_back(Finding{
          "finvoice.lost", Finding::Severity::kWarning, "/totals",
          "the credit note has a negative total (BT-112 " +
              invoice.totals.tax_inclusive.ToString() +
              "), which Finvoice's sign convention writes as a positive one: a reader takes its "
              "amounts as they stand, with the opposite sign of the EN16931 credit note"});
    }
  }
  internal::DocumentWriter writer(*signed_invoice, transmission, losses);
  auto document = writer.Write();
  if (!document) return std::move(document).error();
  if (latin9) {
    auto converted = internal::ToLatin9Document(*document);
    if (!converted) return std::move(converted).error();
    document = std::move(converted).value();
  }
  if (!options.soap_envelope) return document;
  auto envelope = internal::WriteEnvelope(transmission);
  if (!envelope) return std::move(envelope).error();
  return *envelope + *document;
}

}  // namespace gw::formats::finvoice
